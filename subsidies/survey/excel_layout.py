"""The layout of the survey workbook (seed 004: 資料4-① the hub's menus, 4-② the hospital
menus, 4-③ the meeting structure), said once for the download (excel.py) and the upload
(excel_read.py)."""

from __future__ import annotations

MARKER = "zaitaku-portal:survey:v1"
HUB_SHEET = "4-①拠点"
HOSPITAL_SHEET = "4-②積極的医療機関"
MEETING_SHEET = "4-③会議体"
META_SHEET = "_meta"
HEADER_ROW = 6
FIRST_ROW = 7
OTHER_LABEL = "その他取り組み事項"
HUB_HEADERS = ["補助事業区分", "補助額目安（千円）", "補助の希望", "取り組み事項", "開始年度"]
HOSPITAL_HEADERS = ["補助事業区分", "補助額目安（千円）", "補助希望の医療機関数", "取り組み事項"]
HEADERS = {HUB_SHEET: HUB_HEADERS, HOSPITAL_SHEET: HOSPITAL_HEADERS}
NAME_COL, CAP_COL = 1, 2
WISH_COL = COUNT_COL = 3
ACTIONS_COL = 4
START_COL = 5
# 4-③: (field, cell, label), below the heading and its instruction (rows 1–3). The labels
# are in column A, the answers in column B.
MEETING_CELLS = (
    ("district_policy", "B5", "区割りの考え方"),
    ("meeting_body_count", "B6", "会議体の設置数"),
    ("meeting_members", "B7", "会議体の参加者"),
    ("meeting_image", "B8", "会議体のイメージ"),
)
TITLES = {
    HUB_SHEET: "在宅医療における連携を担う拠点に取り組み事項予定（資料4-①）",
    HOSPITAL_SHEET: "積極的役割を担う医療機関の補助メニュー案（資料4-②）",
    MEETING_SHEET: "在宅医療連携拠点に設置する会議体のイメージについて（資料4-③）",
}
INSTRUCTIONS = {
    HUB_SHEET: (
        "・「補助の希望」欄：希望する補助メニューに「○」を入力してください。",
        "・「取り組み事項」欄：補助を活用し取り組む事項を記入してください。"
        "「開始年度」欄：「R８〜」「R９〜」「R10〜」のいずれかを記入してください。",
    ),
    HOSPITAL_SHEET: (
        "・「補助希望の医療機関数」欄：圏域内の積極的医療機関に確認のうえ、"
        "実施希望のある医療機関数を入力してください。",
        "・「取り組み事項」欄：補助を活用し取り組む事項を記入してください。"
        "※積極的役割を担う医療機関への補助は、予算の範囲内で段階的な補助になる予定。",
    ),
    MEETING_SHEET: ("貴拠点における会議体のイメージについて記入してください。",),
}


def cap_thousands(menu):
    """The 補助額目安 in 千円 as seed 004 writes it ("なし" for a menu without its own cap)."""
    if menu.cap_amount is None:
        return "なし"
    value = menu.cap_amount / 1000
    return int(value) if menu.cap_amount % 1000 == 0 else value
