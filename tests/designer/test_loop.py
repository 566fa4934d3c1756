"""Generate, migrate and publish from the browser's endpoints: preview, plan, jobs, history."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection

from design.codegen.emit import emit_app
from design.models import DesignJob, PublishRecord
from design.specs.validate import validate_folder
from design.ui.specfiles import validate_files
from kernel.models import Revision
from tests.conftest import REPO_ROOT
from tests.designer.conftest import clinic_files, folder_bytes, zip_of

pytestmark = pytest.mark.django_db(transaction=True)

HX = {"HTTP_HX_REQUEST": "true"}


def upload(client, files):
    archive = io.BytesIO(zip_of(files))
    archive.name = "clinic.zip"
    response = client.post("/design/import/", {"archive": archive})
    assert response.status_code == 302, response.content.decode()[-2000:]


def run(client, kind: str, **data) -> DesignJob:
    response = client.post(f"/design/clinic/jobs/{kind}/", data, **HX)
    assert response.status_code == 200, response.content
    job = DesignJob.objects.latest("pk")
    # Eager Celery: the job has run by now; the fragment is the job's status row.
    assert f'id="job-{job.pk}"' in response.content.decode()
    return job


def committed_leaf() -> str:
    """The newest migration of the clinic's committed generated app."""
    folder = REPO_ROOT / "generated" / "clinic" / "migrations"
    return sorted(path.stem for path in folder.glob("[0-9]*.py"))[-1]


def columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def test_added_field_previewed_generated_migrated_published(analyst_client, designer_dirs):
    upload(analyst_client, clinic_files(added_field=True))
    preview = analyst_client.get("/design/clinic/preview/").content.decode()
    assert 'data-file="models.py"' in preview and "parking_spot" in preview
    assert 'data-file="forms.py"' in preview
    plan = analyst_client.get("/design/clinic/plan/").content.decode()
    safeties = re.findall(r'data-safety="([^"]+)"', plan)
    assert safeties == ["safe"], plan
    assert "parking_spot" in plan and "destructive-warning" not in plan

    job = run(analyst_client, "generate")
    assert job.state == "done", job.log
    assert "models.py: written" in job.log
    generated = designer_dirs / "generated" / "clinic"
    assert "parking_spot" in (generated / "models.py").read_text()
    spec = validate_folder(designer_dirs / "meta_specs" / "clinic")
    assert emit_app(spec=spec, generated_dir=designer_dirs / "generated", check=True).up_to_date

    # Publish before migrating is refused in place.
    early = run(analyst_client, "publish")
    assert early.state == "failed" and "migrate" in early.log.lower()
    try:
        job = run(analyst_client, "migrate")
        assert job.state == "done", job.log
        assert "parking_spot" in columns("clinic_appointment")
        job = run(analyst_client, "publish")
        assert job.state == "done", job.log
        revision = Revision.objects.get(tenant__name="clinic")
        record = PublishRecord.objects.get(revision=revision)
        assert record.user.username == "analyst"
        assert "parking_spot" in record.files["entities.yaml"]
        again = run(analyst_client, "publish")
        assert again.state == "done" and Revision.objects.filter(tenant__name="clinic").count() == 1

        status = analyst_client.get("/design/").content.decode()
        row = status[status.index('data-tenant="clinic"') :][:3000]
        assert "r1" in row and 'data-status="unapplied"' not in row

        # A second publish with one more change: the history shows what changed.
        files = clinic_files(added_field=True)
        files["tenant.yaml"] = files["tenant.yaml"].replace("医美诊所", "医美诊所二店")
        upload(analyst_client, files)
        assert run(analyst_client, "generate").state == "done"
        assert run(analyst_client, "publish").state == "done"
        history = analyst_client.get("/design/clinic/history/").content.decode()
        assert 'data-revision="2"' in history and 'data-revision="1"' in history
        assert "+  label: 医美诊所二店" in history and "-  label: 医美诊所" in history
        shown = analyst_client.get("/design/clinic/history/?revision=1").content.decode()
        assert 'id="revision-spec"' in shown and "parking_spot" in shown
        assert analyst_client.get("/design/clinic/history/?revision=9").status_code == 404
    finally:
        # the column goes again: back to the newest committed migration (not a fixed number,
        # or the later committed ones would be unapplied too and leave the tables behind)
        call_command("migrate", "clinic", committed_leaf(), verbosity=0)


def test_a_destructive_step_needs_the_typed_tenant_name(analyst_client, designer_dirs):
    # The generated app has parking_spot (generated aside); the spec drops it again.
    emit_app(
        spec=validate_files(clinic_files(added_field=True)),
        generated_dir=designer_dirs / "generated",
    )
    upload(analyst_client, clinic_files())
    plan = analyst_client.get("/design/clinic/plan/").content.decode()
    assert 'data-safety="destructive"' in plan and 'id="destructive-warning"' in plan
    generated = designer_dirs / "generated" / "clinic"
    before = folder_bytes(generated)

    job = run(analyst_client, "generate")
    assert job.state == "failed" and "destructive" in job.log
    assert folder_bytes(generated) == before  # nothing written

    wrong = analyst_client.post("/design/clinic/jobs/generate/", {"confirm": "clinik"}, **HX)
    assert wrong.status_code == 400 and folder_bytes(generated) == before

    job = run(analyst_client, "generate", confirm="clinic")
    assert job.state == "done", job.log
    assert job.allow_destructive
    assert "parking_spot" not in (generated / "models.py").read_text()


def test_a_spec_with_errors_cannot_be_generated_or_published(analyst_client, designer_dirs):
    analyst_client.post("/design/clinic/load/")
    entities = designer_dirs / "meta_specs" / "clinic" / "entities.yaml"
    entities.write_text(entities.read_text().replace("type: boolean", "type: booleen", 1))
    generated = designer_dirs / "generated" / "clinic"
    before = folder_bytes(generated)
    preview = analyst_client.get("/design/clinic/preview/").content.decode()
    assert 'id="step-problem"' in preview and "booleen" in preview
    for kind in ("generate", "publish"):
        job = run(analyst_client, kind)
        assert job.state == "failed" and "error" in job.log
    assert folder_bytes(generated) == before
    assert not Revision.objects.filter(tenant__name="clinic").exists()


def test_the_job_row_polls_until_it_is_over(analyst_client, designer_dirs, settings):
    from core.models import Tenant

    tenant = Tenant.objects.create(name="clinic", label="医美诊所")
    job = DesignJob.objects.create(tenant=tenant, kind="generate")
    fragment = analyst_client.get(f"/design/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'data-state="queued"' in fragment
    DesignJob.objects.filter(pk=job.pk).update(state="done", log="ok")
    fragment = analyst_client.get(f"/design/jobs/{job.pk}/").content.decode()
    assert "hx-trigger" not in fragment and 'data-state="done"' in fragment
