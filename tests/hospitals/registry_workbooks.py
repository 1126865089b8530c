"""Workbooks for the registry tests, built here rather than kept as binary fixtures."""

import io
import zipfile

from hospitals.registry.sample import Row, bureau_number, write_registry

PREF = "47"


def code_of(number: str, prefecture: str = PREF) -> str:
    return f"{prefecture}1{number.replace('-', '')}"


def realistic_rows() -> list[Row]:
    """The quirks of a real list: full-width digits and spaces, 支援診２ア, 在後病, 歯科 rows."""
    hospital = bureau_number(PREF, 101)
    clinic = bureau_number(PREF, 202)
    plain = bureau_number(PREF, 303)
    return [
        Row(
            hospital,
            "医療法人 北山会 北山病院",
            "支援病１",
            since="令和 6年 6月 1日",
            beds="一般　１２０／療養　６０",
            address="沖縄県那覇市泊１－２－３",
            postal_code="〒９００－０００１",
            standard_name="在宅療養支援病院",
        ),
        Row(
            hospital,
            "医療法人 北山会 北山病院",
            "在後病",
            since="令和 5年 4月 1日",
            beds="一般　１２０／療養　６０",
            address="沖縄県那覇市泊１－２－３",
            acceptance_number="第２号",
        ),
        Row(
            hospital,
            "医療法人 北山会 北山病院",
            "地包加",
            since="令和 4年 4月 1日",
            address="沖縄県那覇市泊１－２－３",
            acceptance_number="第３号",
        ),
        Row(
            clinic.replace("-", "－").translate(
                str.maketrans("0123456789", "０１２３４５６７８９")
            ),
            "みなと診療所",
            "支援診２ア",
            since="令和　６年　６月　１日",
            prefecture="４７",
            address="沖縄県浦添市港川２丁目",
            acceptance_number="第１０９号",
        ),
        Row(
            plain,
            "南風クリニック",
            "外在ベⅠ",
            since="令和 6年 6月 1日",
            address="沖縄県宜野湾市大山１",
        ),
        Row("01-23456", "歯科ひまわり", "歯援診１", section="歯科"),
    ]


def xlsx(rows, **kwargs) -> bytes:
    buffer = io.BytesIO()
    write_registry(buffer, rows, **kwargs)
    return buffer.getvalue()


def rezip(data: bytes, extra: dict[str, bytes] | None = None, replace=None) -> bytes:
    """Copy an xlsx, adding members or rewriting them (replace: name -> function(bytes))."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if replace and info.filename in replace:
                content = replace[info.filename](content)
            target.writestr(info.filename, content)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def macro_workbook(rows) -> bytes:
    """What Excel saves as .xlsm: a vbaProject.bin and a macroEnabled content type."""
    return rezip(
        xlsx(rows),
        extra={"xl/vbaProject.bin": b"\xcc\x61" + b'Attribute VB_Name = "Module1"' * 20},
        replace={
            "[Content_Types].xml": lambda c: c.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
        },
    )


def encrypted_workbook() -> bytes:
    """The shape Excel gives a password-protected .xlsx: an OLE2 compound file holding the
    EncryptionInfo and EncryptedPackage streams (directory entries are UTF-16 names)."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x18:0x1A] = b"\x3e\x00"  # minor version
    header[0x1A:0x1C] = b"\x03\x00"  # major version 3
    header[0x1C:0x1E] = b"\xfe\xff"  # little-endian
    header[0x1E:0x20] = b"\x09\x00"  # 512-byte sectors
    directory = bytearray()
    for name in ("Root Entry", "EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[0 : len(encoded)] = encoded
        entry[64:66] = len(encoded).to_bytes(2, "little")
        directory += entry
    return bytes(header) + bytes(directory) + bytes(range(256)) * 16


def zip_bomb(uncompressed_megabytes: int = 64) -> bytes:
    """A valid-looking xlsx whose worksheet inflates to hundreds of megabytes of spaces."""
    base = xlsx(realistic_rows())
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename.startswith("xl/worksheets/"):
                with target.open(info.filename, "w", force_zip64=True) as member:
                    chunk = b" " * (1024 * 1024)
                    for _ in range(uncompressed_megabytes):
                        member.write(chunk)
            else:
                target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


def laid_out(
    rows,
    *,
    as_of: str = "令和 6年 6月 1日",
    cover: bool = False,
    header_row: int = 4,
    first_column: int = 1,
    footer: str | None = None,
    iso_dates: bool = False,
    cell=None,
) -> bytes:
    """A list as others pass it on (issue 17): an optional cover sheet first, notes above the
    header, the header on `header_row` from column `first_column`, a footer line below the
    data; iso_dates writes date cells as ISO text cells (t="d"). cell(key, value) may turn a
    row's value into another type (a number for 医療機関番号, a date for 算定開始年月日)."""
    from openpyxl import Workbook

    from hospitals.registry.sample import HEADER

    workbook = Workbook(iso_dates=iso_dates)
    sheet = workbook.active
    if cover:
        sheet.title = "表紙"
        sheet["B3"] = "施設基準の届出受理状況（医科）"
        sheet["B5"] = "この資料は地方厚生局の公表資料をもとに作成しています。"
        sheet = workbook.create_sheet("届出受理医療機関名簿")
    else:
        sheet.title = "届出受理医療機関名簿"
    column = first_column
    sheet.cell(1, column, "※ 注記: 受理番号の記載のない行があります。")
    if header_row > 2:
        sheet.cell(2, column, f"届出受理医療機関名簿（医科）[{as_of}現在]")
    keys = [None, "prefecture", "section", "number", "name", "postal_code", "address"]
    keys += ["phone", "beds", "standard_name", "symbol", "acceptance_number", "since"]
    for index, label in enumerate(HEADER):
        sheet.cell(header_row, column + index, label)
    number = header_row
    for serial, row in enumerate(rows, start=1):
        number += 1
        for index, value in enumerate(row.values(serial)):
            if cell is not None and keys[index]:
                value = cell(keys[index], value)
            sheet.cell(number, column + index, value)
    if footer:
        sheet.cell(number + 2, column, footer)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_phonetic_name(data: bytes, cell: str, text: str, ruby: str) -> bytes:
    """The list with `cell` turned into a shared string carrying a ルビ run (<rPh>), as
    Japanese Excel saves a name typed with an IME: the ruby is not part of the value."""
    sheet = "xl/worksheets/sheet1.xml"
    strings = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>{text}</t>'
        f'<rPh sb="0" eb="2"><t>{ruby}</t></rPh><phoneticPr fontId="1"/></si></sst>'
    ).encode()
    shared = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    relationship = (
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    )

    def point_at_it(xml: bytes) -> bytes:
        start = xml.index(f'<c r="{cell}"'.encode())
        end = xml.index(b"</c>", start) + 4
        return xml[:start] + f'<c r="{cell}" t="s"><v>0</v></c>'.encode() + xml[end:]

    return rezip(
        data,
        extra={"xl/sharedStrings.xml": strings},
        replace={
            sheet: point_at_it,
            "[Content_Types].xml": lambda xml: xml.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
                + shared
                + b'"/></Types>',
            ),
            "xl/_rels/workbook.xml.rels": lambda xml: xml.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdStrings" Type="'
                + relationship
                + b'" Target="sharedStrings.xml"/></Relationships>',
            ),
        },
    )
