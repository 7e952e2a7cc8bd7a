"""Abstract bases that several models share."""

from django.db import models


class WriteOnce(models.Model):
    """A row that is written once and never updated: what refers to it (the audit chain's hashes, an
    assessment's answers pointing at a tool overview version) must read the same forever. A subclass names
    the refusal and the exception that carries it."""

    refusal = "This row is never changed"
    refusal_error: type[Exception] = ValueError

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise self.refusal_error(self.refusal)
        super().save(*args, **kwargs)
