"""Both shipped catalogues against the seeds' own TEXT (fixtures/catalogues/sources/, copies
of seeds 000 and 004). Every expected string is written here by hand from the seed; the test
asserts it appears in the seed (line breaks and spaces of the PDF extraction removed) AND in
the loaded menu, so a typo in the fixture or here fails. The seed's own spellings are kept
where the issue asks for 「記載どおり」 (需要費, 報酬費, 委託費, 給与, 共益費)."""

import re

import pytest
from django.conf import settings

from subsidies.catalogue.services import CATALOGUE_DIR, load_catalogue_file
from subsidies.models import SubsidyMenu

SOURCES = settings.BASE_DIR / CATALOGUE_DIR / "sources"


def squeeze(text: str) -> str:
    return re.sub(r"\s", "", text)  # the PDF extraction breaks lines and puts spaces anywhere


def seed(name: str) -> str:
    return squeeze((SOURCES / name).read_text(encoding="utf-8"))


def in_seed(text: str, seed_text: str) -> None:
    assert squeeze(text) in seed_text, f"not in the seed: {text}"


# Okinawa's hub lists of expense items are one list, written the same way in every row
# (報償費 twice, as the seed has it).
OKINAWA_HUB_LIST = (
    "報償費、給料、職員手当等、共済費、賃金、報償費、旅費、需用費、役務費、委託料、使用料及び賃借料"
)
OKINAWA_HUB_CATEGORIES = [
    "報償費",
    "給料",
    "職員手当等",
    "共済費",
    "賃金",
    "旅費",
    "需用費",
    "役務費",
    "委託料",
    "使用料及び賃借料",
]

# code: name, requirement items, cap in yen (worked from the seed's 千円), the seed's cap
# text, unit, expense text as written, categories, 取り組み例 (● / ・ lines), 推進事業 items.
OSAKA = {
    "osaka-hub-1": dict(
        name="①会議の開催",
        items=[1],
        cap=1_060_000,  # 「１拠点あたり1,060千円を上限」: 1,060 × 1,000円
        cap_text="１拠点あたり1,060千円を上限（報償費、旅費、会場費等）",
        expense="報償費、旅費、会場費等",
        categories=["報償費", "旅費", "使用料及び賃借料"],  # 会場費 = 使用料及び賃借料
        examples=[
            "在宅医療における提供状況",
            "災害時対応を含む連携上の課題の抽出及び対応策の検討",
            "高齢者救急とACPに関する課題の抽出及び対応策の検討 等",
        ],
        promotion=["i"],
        promotion_text="イ在宅医療・介護連携の課題抽出と対応策の検討",
    ),
    "osaka-hub-2": dict(
        name="②地域の資源の把握・関係機関等との調整",
        items=[2],
        cap=3_536_000,  # 3,536千円
        cap_text="１拠点あたり3,536千円を上限（人件費、旅費、需要費等）",
        expense="人件費、旅費、需要費等",  # the seed's 需要費 (for 需用費), kept as written
        categories=[
            "給料",
            "職員手当等",
            "共済費",
            "賃金",
            "旅費",
            "需用費",
        ],  # 人件費 = 給料〜賃金
        examples=[
            "地域の医療及び介護、障害福祉サービスにかかる所在地や機能等の把握",
            "退院時から看取りまでの医療や介護、障害福祉サービス等にかかる関係機関からの相談対応業務",
            "府民からの問合せ対応 等",
        ],
        promotion=["a", "o"],
        promotion_text="ア、オ地域の医療・介護の資源の把握、在宅医療・介護連携に関する相談支援",
    ),
    "osaka-hub-3": dict(
        name="③会議の開催・関係機関等との調整",
        items=[3],
        cap=None,  # 【上記①、②で対応】: no cap of its own
        cap_text="【上記①、②で対応】",
        expense="上記①、②で対応",
        categories=[],
        examples=[
            "急変時対応等の体制構築に向けたルールづくり",
            "多職種（医師・歯科医師・薬剤師・看護師など）による体制づくり（チーム医療、グループ診療等）",
            "ICTを活用した情報共有の検討 等",
        ],
        promotion=["u", "e"],
        promotion_text="ウ、エ切れ目のない在宅医療と在宅医療の提供体制の構築推進、医療・介護関係者の情報共有の支援",
    ),
    "osaka-hub-4": dict(
        name="④在宅医療にかかる研修等",
        items=[4],
        cap=332_000,  # 332千円
        cap_text="１拠点あたり332千円を上限（報償費、旅費、会場費等）",
        expense="報償費、旅費、会場費等",
        categories=["報償費", "旅費", "使用料及び賃借料"],
        examples=["障害福祉関係者に必要な在宅医療にかかる知識等の研修 等"],
        promotion=["ka"],
        promotion_text="カ医療・介護関係者の研修",
    ),
    "osaka-hub-5": dict(
        name="⑤在宅医療の普及啓発",
        items=[5],
        cap=322_000,  # 322千円
        cap_text="１拠点あたり322千円を上限（報償費、旅費、需要費等）",
        expense="報償費、旅費、需要費等",
        categories=["報償費", "旅費", "需用費"],
        examples=[
            "住民への普及啓発を行う医療従事者等を対象とした研修",
            "人生会議（ACP）普及啓発にかかる取組 等",
        ],
        promotion=["ki"],
        promotion_text="キ地域住民への普及啓発",
    ),
    "osaka-hospital-1": dict(
        name="①他医療機関等への調整・支援",
        items=[1],
        cap=304_000,  # 「１医療機関あたり304千円を上限」
        cap_text="１医療機関あたり304千円を上限（報酬費、旅費、会場費等）",
        expense="報酬費、旅費、会場費等",
        categories=["報酬", "旅費", "使用料及び賃借料"],
        examples=[
            "他医療機関への支援",
            "かかりつけ医の代わりに往診、他機関への紹介や患者受入等の実施",
            "連携の拠点への情報共有のもと積極的医療機関による体制構築等の取組等",
        ],
        promotion=[],
    ),
    "osaka-hospital-4": dict(
        name="④他医療機関等への調整・支援、非常用電源の整備",
        items=[4],
        cap=636_000,  # 636千円
        cap_text="１医療機関あたり636千円を上限（購入費）",
        expense="購入費",
        categories=["備品購入費"],
        examples=[
            "自院のBCP策定",
            "他医療機関等のBCP策定支援",
            "在宅人工呼吸器使用者非常用電源の整備 等",
        ],
        promotion=[],
    ),
}

# Osaka's hospital items ②③⑤⑥: in the seed with their action and ● lines, but no 予算要求額.
OSAKA_NOT_SUBSIDISED = {
    2: ("②関係機関への働きかけ", ["関係機関との情報共有 等"]),
    3: ("③研修等の機会の確保", ["同行訪問研修の実施 等"]),
    5: (
        "⑤在宅医療に関する情報提供等",
        [
            "地域包括支援センター等との情報共有",
            "患者・家族等への医療及び介護、障害福祉サービスの紹介 等",
        ],
    ),
    6: (
        "⑥患者急変時の受入（入院機能を有する場合）",
        ["地域連携に必要な看護師等の配置", "地域の関係機関との受入体制の構築・情報共有 等"],
    ),
}

H24 = "医療機関間で連携した24時間診療体制の構築"
H24_EXAMPLE = "機能強化型在宅療養支援診療所・病院の（看取り数等の過去の実績を除く）の算定要件の充足"
OKINAWA = {
    "okinawa-hub-meeting": dict(
        name="多職種が参加する連携会議の開催",
        items=[1],
        cap=1_060_000,  # 1,060千円
        cap_text="1,060千円",
        expense=f"会議の開催にかかる経費（{OKINAWA_HUB_LIST}）",
        categories=OKINAWA_HUB_CATEGORIES,
        examples=["会議の開催"],
        promotion=["i"],
        promotion_text="（イ）在宅医療・介護連携の課題の抽出と対応策の検討",
        promotion_examples=[
            "推進会議の開催（事業報告、課題共有等）",
            "検討課題を絞った部会（ワーキンググループの設置）",
        ],
    ),
    "okinawa-hub-resources": dict(
        name="資源（所在地や機能）の把握、連携上の課題の把握、課題の整理をし、対応策の検討",
        items=[2],
        cap=600_000,  # 600千円
        cap_text="600千円",
        expense=f"資源把握・課題整理・対応策検討等にかかる経費（{OKINAWA_HUB_LIST}）",
        categories=OKINAWA_HUB_CATEGORIES,
        examples=["状況調査、アンケート調査、ヒアリング", "ワーキンググループ設置 等"],
        promotion=["a", "o"],
        promotion_text="（ア）地域の医療・介護の資源の把握",
        promotion_examples=[
            "ホームページ掲載、適宜更新",
            "紙媒体のリスト作成、配布",
            "相談窓口設置",
        ],
    ),
    "okinawa-hub-coordination": dict(
        name="関係機関との連携、調整",
        items=[2],
        cap=1_400_000,  # 1,400千円
        cap_text="1,400千円",
        expense=f"関係機関との調整にかかる経費（{OKINAWA_HUB_LIST}）",
        categories=OKINAWA_HUB_CATEGORIES,
        examples=["関係機関との資源、課題の共有。連携体制構築。"],
        promotion=["a", "o"],
        promotion_text="（オ）在宅医療・介護関係者に関する相談支援",
        promotion_examples=["相談窓口設置"],
    ),
    "okinawa-hub-24h": dict(
        name="急変時の対応体制や24時間体制の構築",
        items=[3],
        cap=1_200_000,  # 1,200千円
        cap_text="1,200千円",
        expense=f"体制構築にかかる経費（{OKINAWA_HUB_LIST}）",
        categories=OKINAWA_HUB_CATEGORIES,
        examples=[
            "診診連携；かかりつけ医のグループ形成によるバックアップ",
            "多職種連携；情報共有システムの利活用（訪問看護、歯科診療所、薬局含む）",
            "病診連携；急性増悪時等における救急医療機関等のバックアップ体制の確保",
        ],
        promotion=["u", "e"],
        promotion_text="（ウ）切れ目のない在宅医療と在宅介護の提供体制の構築の推進",
        promotion_examples=["部会でツール等を検討・作成", "救急ガイドブック、救急連絡シートの活用"],
    ),
    "okinawa-hub-ict": dict(
        name="ICTシステム導入経費",
        items=[3],
        cap=550_000,  # 550千円
        cap_text="550千円",
        # 委託費 as written (the category is 委託料)
        expense="ICTシステム導入経費（需用費、委託費、使用料及び賃借料、工事請負費）",
        categories=["需用費", "委託料", "使用料及び賃借料", "工事請負費"],
        examples=["連携に必要なICT導入の経費"],
        promotion=["u", "e"],
        promotion_text="（エ）医療・介護関係者の情報共有の支援",
        promotion_examples=["入退院支援の手引きの周知"],
    ),
    "okinawa-hub-training": dict(
        name="研修の開催",
        items=[4],
        cap=518_000,  # 518千円
        cap_text="518千円（カ）医療・介護関係者の研修",  # the cap sits next to its (カ) cell
        expense=f"研修実施にかかる経費（{OKINAWA_HUB_LIST}）",
        categories=OKINAWA_HUB_CATEGORIES,
        examples=[
            "在宅医療に関する人材育成を通じ、新たな人材の確保",
            "既存の人材の専門性向上",
            "同行訪問研修",
        ],
        promotion=["ka"],
        promotion_text="（カ）医療・介護関係者の研修",
        promotion_examples=["多職種研修会", "在宅医療同行訪問研修"],
    ),
    "okinawa-hub-awareness": dict(
        name="在宅医療の普及啓発",
        items=[5],
        cap=472_000,  # 472千円
        cap_text="472千円（キ）地域住民への普及啓発",
        expense=f"普及啓発の実施にかかる経費（{OKINAWA_HUB_LIST}）",
        categories=OKINAWA_HUB_CATEGORIES,
        examples=[],  # the row has no 取り組み例: the list after (キ) is the municipal column
        promotion=["ki"],
        promotion_text="（キ）地域住民への普及啓発",
        promotion_examples=[
            "講演会、出前講座",
            "ラジオにて周知（関心の低い人に届ける）",
            "人生会議すごろくゲーム",
        ],
    ),
    "okinawa-hospital-24h": dict(
        name=f"{H24}：連携体制構築にかかる経費",
        name_parts=[H24, "連携体制構築にかかる経費"],
        items=[1],
        cap=200_000,  # 200千円
        cap_text="使用料及び賃借料）200千円",
        expense=(
            "連携体制構築にかかる経費（報酬、給料、職員手当等、共済費、賃金、報償費、旅費、"
            "需用費、役務費、委託料、使用料及び賃借料）"
        ),
        categories=[
            "報酬",
            "給料",
            "職員手当等",
            "共済費",
            "賃金",
            "報償費",
            "旅費",
            "需用費",
            "役務費",
            "委託料",
            "使用料及び賃借料",
        ],
        examples=[H24_EXAMPLE],
        promotion=[],
        targets_non_enhanced=True,
    ),
    "okinawa-hospital-24h-system": dict(
        name=f"{H24}：連携体制構築にかかるシステム導入費",
        name_parts=[H24, "連携体制構築にかかるシステム導入費"],
        items=[1],
        cap=2_500_000,  # 2,500千円
        cap_text="連携体制構築にかかるシステム導入費2,500千円",
        expense="連携体制構築にかかるシステム導入費",
        categories=[
            "需用費",
            "委託料",
            "使用料及び賃借料",
            "工事請負費",
        ],  # not in the seed: as ICT
        examples=[H24_EXAMPLE],
        promotion=[],
        targets_non_enhanced=True,
    ),
    "okinawa-hospital-coordination": dict(
        name="他医療機関等との調整",
        items=[2, 5],
        cap=200_000,  # 「200千円・関係機関との資源、課題の共有」
        cap_text="200千円・関係機関との資源、課題の共有",
        expense=(
            "他医療機関等との連携・調整等にかかる経費（報酬、給料、職員手当等、共済費、賃金、"
            "報償費、旅費、需用費、役務費、使用料及び賃借料）"
        ),
        categories=[
            "報酬",
            "給料",
            "職員手当等",
            "共済費",
            "賃金",
            "報償費",
            "旅費",
            "需用費",
            "役務費",
            "使用料及び賃借料",
        ],
        examples=[
            "関係機関との資源、課題の共有",
            "在宅医療介護連携に関する相談支援窓口と連携した患者家族への医療・介護・障害福祉サービス情報の紹介",
        ],
        promotion=[],
    ),
    "okinawa-hospital-accompanied-visit": dict(
        name="同行訪問等研修",
        items=[3],
        cap=42_000,  # 42千円 per trainee per half day
        cap_text="受講者１人半日当たり42千円",
        unit="per_person_half_day",
        expense=(
            "同行訪問研修等にかかる経費（報酬、給料、職員手当等、賃金、報償費、旅費、需用費、"
            "役務費、使用料及び賃借料）"
        ),
        categories=[
            "報酬",
            "給料",
            "職員手当等",
            "賃金",
            "報償費",
            "旅費",
            "需用費",
            "役務費",
            "使用料及び賃借料",
        ],
        examples=["同行訪問等研修の実施"],
        promotion=[],
    ),
    "okinawa-hospital-bcp": dict(
        name="BCP策定・BCP策定支援",
        items=[4],
        cap=518_000,  # 518千円
        cap_text="使用料及び賃借料）518千円○入院機能を有する",
        expense=f"BCP策定・策定支援にかかる経費（{OKINAWA_HUB_LIST}）",
        categories=OKINAWA_HUB_CATEGORIES,
        examples=["自機関のBCP策定、連携型BCP・地域型BCPの策定", "研修会、勉強会等"],
        promotion=[],
    ),
    "okinawa-hospital-acceptance": dict(
        name="在宅療養者の病状変化時の受け入れ態勢確保",
        items=[6],
        cap=4_000_000,  # 「１医療機関あたり基準額4,000千円」
        cap_text="１医療機関あたり基準額4,000千円（事業所年度１回限り）",
        unit="once_per_facility",
        expense="必要な人件費（報酬、給与、職員手当等、共益費、賃金）",  # 給与・共益費 as written
        categories=["報酬", "給料", "職員手当等", "共済費", "賃金"],
        examples=["退院調整を行う看護師等を新たに配置"],
        promotion=[],
        requires_beds=True,  # 「入院機能を有する医療機関においては」
    ),
}


def load(name):
    return load_catalogue_file(settings.BASE_DIR / CATALOGUE_DIR / f"{name}.json")


def check_menu(menu: SubsidyMenu, spec: dict, seed_text: str) -> None:
    for part in spec.get("name_parts", [spec["name"]]):  # 区分：経費 for the two-row 区分
        in_seed(part, seed_text)
    assert menu.name == spec["name"]
    assert [i.number for i in menu.requirement_items.all()] == spec["items"], menu.code
    in_seed(spec["cap_text"], seed_text)
    assert menu.cap_amount == spec["cap"], menu.code
    assert menu.cap_unit == spec.get("unit", "per_recipient"), menu.code
    assert menu.rate_label == "10/10", menu.code  # neither seed gives a rate (asserted below)
    in_seed(spec["expense"], seed_text)
    assert menu.expense_note == spec["expense"], menu.code
    assert sorted(c.name for c in menu.expense_categories.all()) == sorted(spec["categories"]), (
        menu.code
    )
    for line in spec["examples"]:
        in_seed(line, seed_text)
    assert menu.example_lines() == spec["examples"], menu.code
    assert menu.promotion_items == spec["promotion"], menu.code
    if spec.get("promotion_text"):
        in_seed(spec["promotion_text"], seed_text)
    for line in spec.get("promotion_examples", []):
        in_seed(line, seed_text)
        assert line in menu.promotion_example_lines(), (menu.code, line)
    assert menu.requires_beds is spec.get("requires_beds", False), menu.code
    assert menu.targets_non_enhanced is spec.get("targets_non_enhanced", False), menu.code


@pytest.mark.django_db
def test_osaka_fy2024_every_menu_as_seed_000_writes_it():
    text = seed("osaka_fy2024_shiryo3-1.txt")
    fiscal_year = load("osaka_fy2024")
    assert [m.code for m in fiscal_year.menus.order_by("display_order")] == list(OSAKA)
    for menu in fiscal_year.menus.prefetch_related("requirement_items", "expense_categories"):
        check_menu(menu, OSAKA[menu.code], text)
    within = fiscal_year.menus.get(code="osaka-hub-3")
    assert within.cap_within_other_menus and not within.missing_cap()
    assert within.cap_label() == "独自の上限なし（他のメニューの中で実施）"
    assert not fiscal_year.menus.exclude(code="osaka-hub-3").filter(cap_within_other_menus=True)
    in_seed("R６年度予算要求額：574,420千円", text)
    assert fiscal_year.budget_amount == 574_420_000  # 574,420千円 × 1,000
    assert "補助率" not in text  # so 10/10 above is the reading, not a figure of the seed
    assert fiscal_year.other_income_level == "facility"  # the seed is silent: the MHLW wording
    assert fiscal_year.catalogue_confirmed  # 府議会の予算を前提に記載: final figures


@pytest.mark.django_db
def test_osaka_hospital_items_2_3_5_6_are_not_subsidised_with_their_text():
    text = seed("osaka_fy2024_shiryo3-1.txt")
    fiscal_year = load("osaka_fy2024")
    covered = {
        item.number
        for menu in fiscal_year.menus.filter(recipient_type="hospital")
        for item in menu.requirement_items.all()
    }
    assert covered == {1, 4}
    for number, (action, examples) in OSAKA_NOT_SUBSIDISED.items():
        item = fiscal_year.requirement_items.get(recipient_type="hospital", number=number)
        in_seed(action, text)
        assert item.action_name == action
        for line in examples:
            in_seed(line, text)
            assert line in item.action_examples.splitlines()
        # a requirement text the seed writes (its numbered 求められる事項)
        assert item.description


@pytest.mark.django_db
def test_okinawa_fy2026_every_menu_as_seed_004_writes_it():
    text = seed("okinawa_fy2026_shiryo4.txt")
    fiscal_year = load("okinawa_fy2026")
    assert [m.code for m in fiscal_year.menus.order_by("display_order")] == list(OKINAWA)
    for menu in fiscal_year.menus.prefetch_related("requirement_items", "expense_categories"):
        check_menu(menu, OKINAWA[menu.code], text)
    acceptance = fiscal_year.menus.get(code="okinawa-hospital-acceptance")
    assert acceptance.once_per_facility_scope == "ever"
    assert acceptance.once_reading() == "1施設につき1回限り（過年度に交付済みなら対象外）"
    assert "補助率" not in text
    in_seed("沖縄県による補助額の設定は調整中", text)
    assert not fiscal_year.catalogue_confirmed  # 調整中 until the prefecture confirms
    in_seed("「基本額×区割り数」とすることも含め検討中", text)
    hub_menus = fiscal_year.menus.filter(recipient_type="hub")
    assert all("基本額×区割り数" in m.note for m in hub_menus)
    assert fiscal_year.other_income_level == "facility"


@pytest.mark.django_db
def test_every_okinawa_hub_menu_carries_its_promotion_items_and_examples():
    """Seed 004's 推進事業の内容 / 各地区医師会での主な取り組み columns, per hub menu, by the
    requirement item they sit beside (seed 000: 1-イ, 2-ア・オ, 3-ウ・エ, 4-カ, 5-キ)."""
    fiscal_year = load("okinawa_fy2026")
    for menu in fiscal_year.menus.filter(recipient_type="hub"):
        assert menu.promotion_items, menu.code
        assert menu.promotion_example_lines(), menu.code
        assert menu.promotion_item_labels()[0].startswith("（")
    assert not fiscal_year.menus.filter(recipient_type="hospital").exclude(promotion_items=[])
