"""Seed 002's indicators as tables: the same columns and rows for the page (caption, th
scope, numbers right-aligned) and for the xlsx export (numbers stay numbers), so the two
never disagree. Each table is one function of reports.indicators.Indicators."""

from __future__ import annotations

from dataclasses import dataclass

from reports.dashboard import DESK_BANDS
from reports.indicators import (
    EVENT_STATES,
    QUALIFICATIONS,
    AreaIndicators,
    Indicators,
)
from zaitaku_portal.spreadsheets import Column

LETTERS = [letter for _, letter in QUALIFICATIONS]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list]
    note: str = ""

    @property
    def numeric(self) -> list[bool]:
        return [column.kind in ("int", "yen") for column in self.columns]

    @property
    def cells(self) -> list[list[tuple]]:
        """(value, numeric) per cell, for the template."""
        return [list(zip(row, self.numeric, strict=True)) for row in self.rows]


def _count(header: str) -> Column:
    return Column(header, "int")


def meetings(board: Indicators) -> Table:
    return Table(
        "seed002_meetings",
        "拠点別の会議（予定と開催）",
        [
            Column("拠点"),
            Column("在宅医療圏"),
            _count("多職種連携会議（予定）"),
            _count("多職種連携会議（開催）"),
            Column("管理者等の会合（予定）"),
            _count("管理者等の会合（開催）"),
            _count("積極的医療機関との会議（予定）"),
            _count("積極的医療機関との会議（開催）"),
        ],
        [
            [
                hub.name,
                hub.areas,
                hub.planned_meetings,
                hub.meetings,
                hub.administrators_plan or "未登録",
                hub.administrators_meetings,
                hub.planned_hospital_meetings,
                hub.hospital_meetings,
            ]
            for hub in board.hubs
        ],
        "多職種連携会議は年4回以上、うち1回は行政担当官及び関連施設の管理者が参加する会合"
        "（手順書 §4 1)ア）。予定の空欄は未登録。",
    )


def trainings(board: Indicators) -> Table:
    return Table(
        "seed002_trainings",
        "拠点別の研修会・講演会（予定と開催）",
        [
            Column("拠点"),
            _count("医療・介護関係者等向け研修会（予定）"),
            _count("研修会（開催）"),
            Column("研修会の状況"),
            _count("地域住民への講演会・普及啓発（予定）"),
            _count("講演会・普及啓発（開催）"),
            Column("講演会・普及啓発の状況"),
        ],
        [
            [
                hub.name,
                hub.planned_trainings,
                hub.trainings,
                hub.training_state,
                hub.planned_lectures,
                hub.lectures,
                hub.lecture_state,
            ]
            for hub in board.hubs
        ],
        "開催は実績報告の活動（研修は拠点が開いたもの。受講しただけのリーダー研修は除く）。",
    )


def desk_and_coordinators(board: Indicators) -> Table:
    return Table(
        "seed002_desk",
        "拠点別の相談窓口とコーディネーター",
        [
            Column("拠点"),
            _count("相談窓口（週あたり時間）"),
            Column("開設時間の区分"),
            _count("コーディネーター（人）"),
            *(_count(f"資格{letter}") for letter in LETTERS),
            Column("氏名と資格"),
        ],
        [
            [
                hub.name,
                hub.desk_hours,
                hub.desk_band,
                len(hub.coordinators),
                *(hub.qualification_count(letter) for letter in LETTERS),
                hub.qualifications or "登録なし",
            ]
            for hub in board.hubs
        ],
        "資格（ア）医療の国家資格と相談の実務経験（イ）医療ソーシャルワーカー1年以上"
        "（ウ）介護支援専門員等1年以上（エ）連携調整の実務経験3年以上。",
    )


def accompanied(board: Indicators) -> Table:
    return Table(
        "seed002_accompanied",
        "拠点別の同行訪問研修（任意）",
        [
            Column("拠点"),
            Column("予定"),
            Column("対象者（予定）"),
            Column("研修先（予定）"),
            _count("実施（回）"),
            _count("受講者×半日"),
            Column("対象者（実施）"),
            Column("研修先（実施）"),
        ],
        [
            [
                hub.name,
                hub.accompanied_plan or "未登録",
                hub.accompanied_trainees or "—",
                hub.accompanied_sites or "—",
                hub.accompanied_held,
                hub.accompanied_half_days,
                "、".join(hub.accompanied_held_trainees) or "—",
                "、".join(hub.accompanied_held_sites) or "—",
            ]
            for hub in board.hubs
        ],
    )


def attendance(board: Indicators) -> Table:
    rows = []
    for hub in board.hubs:
        rows += [
            [hub.name, item.held_on, item.kind, item.venue or "—", item.attendees]
            for item in hub.attended
        ] or [[hub.name, None, "参加の登録なし", "—", None]]
    return Table(
        "seed002_attendance",
        "拠点別の説明会・意見交換会への参加",
        [
            Column("拠点"),
            Column("開催日", "date"),
            Column("種類"),
            Column("会場・開催方法"),
            _count("参加者数（人）"),
        ],
        rows,
    )


def coordinator_meetings(board: Indicators) -> Table:
    return Table(
        "seed002_events",
        "コーディネーター説明会・意見交換会（回ごと）",
        [
            Column("開催日", "date"),
            Column("種類"),
            Column("会場・開催方法"),
            _count("参加拠点数"),
            _count("参加者数（人）"),
            Column("参加した拠点"),
        ],
        [
            [
                row.held_on,
                row.kind,
                "、".join(row.venues) or "—",
                len(row.hubs),
                row.attendees,
                "、".join(row.hubs),
            ]
            for row in board.meetings
        ],
        "各拠点が登録した参加を開催日と種類でまとめています。",
    )


def _area_row(area: AreaIndicators) -> list:
    tentative = sum(row.tentative for row in area.municipalities)
    return [
        area.name,
        len(area.hubs),
        area.total("planned_meetings"),
        area.total("meetings"),
        sum(1 for hub in area.hubs if hub.administrators_meetings),
        *(area.hubs_in("training_state", state) for state in EVENT_STATES),
        *(area.hubs_in("lecture_state", state) for state in EVENT_STATES),
        *(area.hubs_in("desk_band", band) for band in DESK_BANDS),
        *(sum(hub.qualification_count(letter) for hub in area.hubs) for letter in LETTERS),
        area.hospitals,
        tentative,
        len(area.municipalities_without),
        area.total("planned_hospital_meetings"),
        area.total("hospital_meetings"),
        sum(1 for hub in area.hubs if hub.accompanied_plan == "予定あり"),
        sum(1 for hub in area.hubs if hub.accompanied_held),
        sum(hub.attended_people for hub in area.hubs),
    ]


def areas(board: Indicators) -> Table:
    return Table(
        "seed002_areas",
        "圏域別の集計",
        [
            Column("在宅医療圏"),
            _count("拠点数"),
            _count("会議（予定）"),
            _count("会議（開催）"),
            _count("管理者等の会合を開いた拠点"),
            *(_count(f"研修会：{state}") for state in EVENT_STATES),
            *(_count(f"講演会：{state}") for state in EVENT_STATES),
            *(_count(f"相談窓口：{band}") for band in DESK_BANDS),
            *(_count(f"コーディネーター{letter}") for letter in LETTERS),
            _count("積極的医療機関"),
            _count("うち内諾"),
            _count("医療機関のない市区町村"),
            _count("積極的医療機関との会議（予定）"),
            _count("積極的医療機関との会議（開催）"),
            _count("同行訪問研修の予定がある拠点"),
            _count("同行訪問研修を実施した拠点"),
            _count("説明会・意見交換会の参加者（延べ人）"),
        ],
        [_area_row(area) for area in board.areas],
        "研修会・講演会・相談窓口の列は拠点数。複数の圏域を担当する拠点は各圏域に数えます。",
    )


def municipalities(board: Indicators) -> Table:
    return Table(
        "seed002_municipalities",
        "市区町村別の積極的医療機関数",
        [
            Column("市区町村"),
            Column("在宅医療圏"),
            _count("指定中"),
            _count("内諾（※1）"),
            _count("計"),
        ],
        [
            [row.name, row.area, row.active, row.tentative, row.total]
            for row in board.municipalities
        ],
        "積極的医療機関のない市区町村も0として載せています。※1 内諾は拠点の内諾を受けた医療機関。",
    )


def summary(board: Indicators) -> Table:
    return Table(
        "seed002_summary",
        "取組の状況（拠点数）",
        [Column("項目"), Column("区分"), _count("拠点数")],
        [list(row) for row in board.summary],
        "資料4（令和6年度 大阪市）と同じ区分で拠点を数えています。",
    )


TABLES = (
    summary,
    areas,
    meetings,
    trainings,
    desk_and_coordinators,
    municipalities,
    accompanied,
    attendance,
    coordinator_meetings,
)


def tables_of(board: Indicators) -> list[Table]:
    return [make(board) for make in TABLES]
