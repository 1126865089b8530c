from tests.url_cases import STAFF, UrlCase, everyone, only

CASES = [
    UrlCase("hospitals:list", everyone(200)),
    UrlCase(
        "hospitals:institution_detail",
        everyone(200),
        kwargs=lambda w: {"pk": w.hospital_a.pk},
        label="own scope",
    ),
    UrlCase(
        "hospitals:institution_detail",
        only(STAFF, 200, others=404),
        kwargs=lambda w: {"pk": w.hospital_b.pk},
        label="other scope",
    ),
]
