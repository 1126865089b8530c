"""Writing workbooks in the layout of the 届出受理医療機関名簿, for tests and the benchmark.

The layout follows the bureau's published files: a title in A2 ending in
[令和X年X月X日現在], the header on row 4, one row per facility per accepted standard,
医療機関番号 as 01-15202 and 算定開始年月日 in 和暦 with spaces (令和 6年 6月 1日)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from openpyxl import Workbook

from hospitals.codes import luhn_check_digit

HEADER = (
    "項番",
    "都道府県コード",
    "区分",
    "医療機関番号",
    "医療機関名称",
    "医療機関所在地（郵便番号）",
    "医療機関所在地（住所）",
    "電話番号",
    "病床数",
    "受理届出名称",
    "受理記号",
    "受理番号",
    "算定開始年月日",
)

STANDARDS = (
    ("夜間休日救急搬送医学管理料", "救搬"),
    ("地域包括診療加算", "地包加"),
    ("在宅時医学総合管理料及び施設入居時等医学総合管理料", "在医総管"),
    ("がん性疼痛緩和指導管理料", "がん疼"),
    ("明細書発行体制等加算", "明細"),
    ("外来・在宅ベースアップ評価料（Ⅰ）", "外在ベⅠ"),
    ("情報通信機器を用いた診療に係る基準", "情報通信"),
    ("時間外対応加算１", "時間外１"),
    ("医療ＤＸ推進体制整備加算", "医療ＤＸ"),
    ("検体検査管理加算（Ⅰ）", "検Ⅰ"),
)
SUPPORT_CLINIC = "在宅療養支援診療所"
SUPPORT_HOSPITAL = "在宅療養支援病院"
BACKUP_HOSPITAL = ("在宅療養後方支援病院", "在後病")
TOWNS = ("那覇市", "浦添市", "宜野湾市", "沖縄市", "うるま市", "名護市", "国頭郡本部町")


@dataclass
class Row:
    number: str  # 医療機関番号 as printed, e.g. "01-15202"
    name: str
    symbol: str
    since: str = "令和 6年 6月 1日"
    section: str = "医科"
    prefecture: str = "47"
    postal_code: str = "900-0001"
    address: str = "沖縄県那覇市港町1-1"
    phone: str = "098-000-0000"
    beds: str = ""
    standard_name: str = ""
    acceptance_number: str = "第1号"

    def values(self, serial: int) -> tuple:
        return (
            serial,
            self.prefecture,
            self.section,
            self.number,
            self.name,
            self.postal_code,
            self.address,
            self.phone,
            self.beds,
            self.standard_name or self.symbol,
            self.symbol,
            self.acceptance_number,
            self.since,
        )


def bureau_number(prefecture: str, serial: int, valid: bool = True) -> str:
    """A 医療機関番号 (7 digits, 'NN-NNNNN') whose 10-digit 医科 code passes (or fails) Luhn."""
    first_six = f"{serial % 1_000_000:06d}"
    check = luhn_check_digit(f"{prefecture}1{first_six}")
    if not valid:
        check = str((int(check) + 1) % 10)
    digits = first_six + check
    return f"{digits[:2]}-{digits[2:]}"


def write_registry(
    target,
    rows: Iterable[Row | tuple],
    as_of: str = "令和 6年 6月 1日",
    title: str | None = None,
    header: tuple = HEADER,
) -> None:
    """Write the list with openpyxl's write-only workbook (rows are streamed, not held)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("届出受理医療機関名簿")
    sheet.append(["施設基準の届出受理状況"])
    sheet.append([title if title is not None else f"届出受理医療機関名簿（医科）[{as_of}現在]"])
    sheet.append([])
    sheet.append(list(header))
    for serial, row in enumerate(rows, start=1):
        sheet.append(list(row.values(serial) if isinstance(row, Row) else row))
    workbook.save(target)


def generated_rows(count: int, prefecture: str = "47", seed: int = 2026) -> Iterator[Row]:
    """A realistic list: 3-8 standards per facility, about 15% of rows 在支診/在支病."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    produced = 0
    facility = 0
    while produced < count:
        facility += 1
        is_hospital = rng.random() < 0.12
        number = bureau_number(prefecture, 10_000 + facility)
        suffix = "病院" if is_hospital else "診療所"
        name = f"医療法人{'緑' if facility % 2 else '青'}会 {suffix}{facility}"
        town = TOWNS[facility % len(TOWNS)]
        common = {
            "number": number,
            "name": name,
            "prefecture": prefecture,
            "address": f"沖縄県{town}字{facility % 97}番地{facility % 13}",
            "beds": f"一般　{rng.randint(40, 300)}" if is_hospital else "",
            "phone": f"098-{facility % 1000:03d}-{facility % 10000:04d}",
        }
        standards = rng.sample(STANDARDS, rng.randint(3, 8))
        support_rows = []
        if rng.random() < 0.7:
            tier = rng.choice(("１", "２", "２ア", "３", "３", "３"))
            symbol = f"支援{'病' if is_hospital else '診'}{tier}"
            label = SUPPORT_HOSPITAL if is_hospital else SUPPORT_CLINIC
            support_rows.append((label, symbol))
            if rng.random() < 0.35:
                support_rows.append((label, symbol))  # accepted again under another 受理番号
        if is_hospital and rng.random() < 0.2:
            support_rows.append(BACKUP_HOSPITAL)
        for index, (label, symbol) in enumerate([*standards, *support_rows]):
            if produced >= count:
                break
            year = rng.randint(2, 5)
            yield Row(
                symbol=symbol,
                standard_name=label,
                acceptance_number=f"第{facility * 20 + index}号",
                since=f"令和{year:>2}年{rng.randint(1, 12):>2}月{rng.randint(1, 28):>2}日",
                **common,
            )
            produced += 1
