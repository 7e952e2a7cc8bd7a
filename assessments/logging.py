"""JSON log lines for production (KIV_LOG_JSON=True), one object per line with the request id."""

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """Also gunicorn's (deploy/gunicorn.conf.py), which adds the access fields: one shape for every line."""

    def fields(self, record: logging.LogRecord) -> dict:
        return {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }

    def format(self, record: logging.LogRecord) -> str:
        data = self.fields(record)
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)
