"""The designer's own rows: its background jobs, what was last synced to disk, and each publish's spec."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DesignJob(models.Model):
    """One generate / migrate / publish run started from the designer; its log grows as it runs."""

    class Kind(models.TextChoices):
        GENERATE = "generate", _("Generate")
        MIGRATE = "migrate", _("Migrate")
        PUBLISH = "publish", _("Publish")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    tenant = models.ForeignKey(
        "core.Tenant",
        on_delete=models.CASCADE,
        related_name="design_jobs",
        verbose_name=_("tenant"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default="queued")
    log = models.TextField(_("log"), blank=True)
    allow_destructive = models.BooleanField(_("destructive steps confirmed"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("design job")
        verbose_name_plural = _("design jobs")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.kind} #{self.pk}"

    @property
    def is_over(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class SpecSync(models.Model):
    """The hash (``design.publish.spec_hash``) of the spec last loaded from or written to its folder."""

    tenant = models.OneToOneField(
        "core.Tenant", on_delete=models.CASCADE, related_name="spec_sync", verbose_name=_("tenant")
    )
    spec_sha256 = models.CharField(_("spec sha256"), max_length=64)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("spec sync")
        verbose_name_plural = _("spec syncs")

    def __str__(self) -> str:
        return f"{self.tenant} {self.spec_sha256[:12]}"


class PublishRecord(models.Model):
    """Who published which revision, and the spec files (YAML text) it was published from."""

    revision = models.OneToOneField(
        "kernel.Revision",
        on_delete=models.CASCADE,
        related_name="publish_record",
        verbose_name=_("revision"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    files = models.JSONField(_("spec files"), default=dict)  # file name -> exported YAML text
    created = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        verbose_name = _("publish record")
        verbose_name_plural = _("publish records")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return str(self.revision)
