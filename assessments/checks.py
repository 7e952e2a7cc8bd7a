"""Start-up checks (`manage.py check`, runserver, migrate) that also feed /healthz."""

from django.core.checks import Error, register

from assessments import health
from assessments.reports import signing


@register("kiveileder")
def signing_certificate(app_configs=None, **kwargs) -> list[Error]:
    """A configured sealing certificate that cannot be opened stops the start, with the reason."""
    status = signing.check_configuration()
    if status["ok"]:
        return []
    return [
        Error(
            f"The report signing certificate cannot be used: {status['detail']}",
            hint="Fix KIV_SIGNING_P12 and KIV_SIGNING_P12_PASSWORD(_FILE), or unset KIV_SIGNING_P12 to use "
            "the generated test certificate.",
            id="kiveileder.E001",
        )
    ]


health.register("signing", signing.health)
