"""The designer's pages: who may enter, tenants and their status, new tenants, spec zips in and out."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.contrib.auth.models import Group

from core.models import Tenant
from design.models import SpecSync
from design.ui.specfiles import ZIP_MAX_BYTES, ZipRejected, read_zip
from kernel.models import Operator
from tests.designer.conftest import clinic_files, folder_bytes, zip_of

pytestmark = pytest.mark.django_db


def test_anonymous_goes_to_the_login_page(client):
    response = client.get("/design/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/design/")


def test_an_operator_gets_403(client, django_user_model, designer_dirs):
    user = django_user_model.objects.create_user("clinic.xiaolin", password="x")
    tenant = Tenant.objects.create(name="clinic", label="医美诊所")
    Operator.objects.create(tenant=tenant, user=user, name="xiaolin", label="小林")
    client.force_login(user)
    assert client.get("/design/").status_code == 403
    assert client.get("/design/clinic/preview/").status_code == 403
    assert client.post("/design/clinic/jobs/publish/").status_code == 403


def test_staff_and_the_designers_group_enter(client, django_user_model, designer_dirs):
    user = django_user_model.objects.create_user("ana", password="x")
    client.force_login(user)
    assert client.get("/design/").status_code == 403
    user.groups.add(Group.objects.create(name="designers"))
    response = client.get("/design/")
    assert response.status_code == 200
    assert b'data-tenant="clinic"' in response.content


def test_index_shows_each_tenant_status(analyst_client, designer_dirs):
    page = analyst_client.get("/design/").content.decode()
    row = page[page.index('data-tenant="clinic"') :]
    assert 'data-status="valid"' in row[:3000]
    assert "not loaded" in row[:3000]
    # An edit on disk that breaks the spec shows as errors.
    entities = designer_dirs / "meta_specs" / "clinic" / "entities.yaml"
    entities.write_text(entities.read_text().replace("type: boolean", "type: booleen", 1))
    page = analyst_client.get("/design/").content.decode()
    assert 'data-status="errors"' in page


def test_create_a_tenant_writes_its_folder_and_loads_it(analyst_client, designer_dirs):
    response = analyst_client.post("/design/new/", {"name": "bakery", "label": "面包店"})
    assert response.status_code == 302 and response["Location"] == "/design/bakery/"
    folder = designer_dirs / "meta_specs" / "bakery"
    text = (folder / "tenant.yaml").read_text()
    assert "name: bakery" in text and "label: 面包店" in text
    tenant = Tenant.objects.get(name="bakery")
    assert tenant.label == "面包店" and SpecSync.objects.filter(tenant=tenant).exists()
    assert not list(folder.glob(".*.tmp"))  # written atomically: no temp file left


@pytest.mark.parametrize(
    ("name", "status"),
    [("Bad Name", 400), ("design", 400), ("clinic", 400)],
)
def test_create_refuses_bad_or_taken_names(analyst_client, designer_dirs, name, status):
    before = sorted(p.name for p in (designer_dirs / "meta_specs").iterdir())
    response = analyst_client.post("/design/new/", {"name": name, "label": "x"})
    assert response.status_code == status
    assert sorted(p.name for p in (designer_dirs / "meta_specs").iterdir()) == before
    assert not Tenant.objects.filter(name=name).exists()


def test_import_a_zip_writes_the_files_as_given_and_loads_them(analyst_client, designer_dirs):
    files = clinic_files(added_field=True)
    upload = io.BytesIO(zip_of(files))
    upload.name = "clinic.zip"
    response = analyst_client.post("/design/import/", {"archive": upload})
    assert response.status_code == 302 and response["Location"] == "/design/clinic/"
    folder = designer_dirs / "meta_specs" / "clinic"
    assert (folder / "entities.yaml").read_text() == files["entities.yaml"]  # comments kept
    from design.selectors import spec_get

    appointment = spec_get(tenant="clinic").entity("appointment")
    assert "parking_spot" in [f.name for f in appointment.fields]
    page = analyst_client.get("/design/clinic/").content.decode()
    assert "in sync" in page


def _post_zip(client, data: bytes):
    upload = io.BytesIO(data)
    upload.name = "spec.zip"
    return client.post("/design/import/", {"archive": upload})


def test_an_invalid_spec_in_a_zip_shows_located_errors_and_changes_nothing(
    analyst_client, designer_dirs
):
    analyst_client.post("/design/clinic/load/")
    folder = designer_dirs / "meta_specs" / "clinic"
    before = folder_bytes(folder)
    files = clinic_files()
    files["entities.yaml"] = files["entities.yaml"].replace("type: boolean", "type: booleen", 1)
    response = _post_zip(analyst_client, zip_of(files))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="import-errors"' in page
    assert re.search(r"<li>entities\.yaml:\d+:\d+: [^<]*booleen", page)  # file:line:column
    assert folder_bytes(folder) == before


def test_a_bad_zip_is_refused(analyst_client, designer_dirs):
    response = _post_zip(analyst_client, b"not a zip at all")
    assert response.status_code == 400
    assert "not a zip file" in response.content.decode()


@pytest.mark.parametrize(
    "member",
    ["../evil.yaml", "/etc/evil.yaml", "a/b/c/deep.yaml", "clinic\\..\\evil.yaml"],
)
def test_zip_slip_is_refused(member, english):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tenant.yaml", "spec_version: 1\n")
        archive.writestr(member, "x: 1\n")
    with pytest.raises(ZipRejected) as caught:
        read_zip(buffer.getvalue())
    assert member in caught.value.errors[0]


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def test_zip_limits(english):
    with pytest.raises(ZipRejected, match="larger"):
        read_zip(b"0" * (ZIP_MAX_BYTES + 1))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("tenant.yaml", "a" * (9 * 1024 * 1024))  # a zip bomb in small
    with pytest.raises(ZipRejected, match="unpacks"):
        read_zip(buffer.getvalue())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tenant.yaml", "x")
        archive.writestr("run.py", "x")
    with pytest.raises(ZipRejected, match="yaml"):
        read_zip(buffer.getvalue())


def test_download_and_reimport_round_trip(analyst_client, designer_dirs):
    response = analyst_client.get("/design/clinic/spec.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert names == sorted(f"clinic/{n}" for n in clinic_files())
    assert archive.read("clinic/tenant.yaml").decode() == clinic_files()["tenant.yaml"]
    assert read_zip(response.content) == clinic_files()
    assert analyst_client.get("/design/nosuch/spec.zip").status_code == 404


def test_the_designer_speaks_chinese(analyst_client, designer_dirs):
    """Needs the compiled catalogue with locale/zh_Hans/LC_MESSAGES/designer.po.part merged in."""
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Generate, migrate, publish") != "Generate, migrate, publish"
    page = analyst_client.get("/design/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<h1" in page and "租户" in page and "生成、迁移、发布" in page and "新建租户" in page
    page = analyst_client.get("/design/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Tenants" in page and "New tenant" in page
