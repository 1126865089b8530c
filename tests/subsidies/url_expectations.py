from tests.url_cases import STAFF, UrlCase, everyone, only

CASES = [
    UrlCase("subsidies:review_home", only(STAFF)),
    UrlCase("subsidies:catalogue_latest", everyone(302)),
    UrlCase("subsidies:catalogue", everyone(200), kwargs=lambda w: {"year": 2026}),
    UrlCase("subsidies:catalogue", everyone(404), kwargs=lambda w: {"year": 2031}, label="none"),
]
