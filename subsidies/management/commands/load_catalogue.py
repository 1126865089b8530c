from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from subsidies.catalogue.services import CATALOGUE_DIR, load_catalogue_file


class Command(BaseCommand):
    help = "補助メニューの定義ファイル（fixtures/catalogues/*.json）を読み込みます。"

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="+", help="例: osaka_fy2024 okinawa_fy2026")

    def handle(self, *args, names, **options):
        for name in names:
            path = settings.BASE_DIR / CATALOGUE_DIR / f"{name}.json"
            if not path.exists():
                raise CommandError(f"補助メニューの定義ファイルがありません: {path}")
            fiscal_year = load_catalogue_file(path)
            self.stdout.write(f"{fiscal_year}: {fiscal_year.menus.count()} メニュー")
