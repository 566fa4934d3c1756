"""An id longer than a 64-bit column holds matches no URL: a 404, never a database overflow (500).

Found by the API fuzzer on SQLite: GET /repair_shop/api/business_customer/<21 digits>/ raised
OverflowError in the database driver.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

HUGE = "161121157809140269056"  # 21 digits
PATHS = [
    "/repair_shop/api/business_customer/{}/",
    "/clinic/api/customer/{}/",
    "/clinic/api/processes/{}/",
    "/clinic/api/tasks/{}/claim/",
    "/clinic/tasks/{}/",
    "/clinic/processes/{}/",
    "/design/jobs/{}/",
]


@pytest.mark.parametrize("path", PATHS)
def test_a_huge_id_is_not_found_and_a_normal_one_reaches_the_view(client, path):
    assert client.get(path.format(HUGE)).status_code == 404
    for ok in ("7", "123456789012345678"):  # 18 digits: the view answers (here: sign in first)
        assert client.get(path.format(ok)).status_code in (301, 302, 401, 403)
