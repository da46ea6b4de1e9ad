"""Configuration from the environment or `.env`, with SPEC's variable names."""

from __future__ import annotations

import re

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    """Everything khui reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field("sqlite:///./khui.db", validation_alias=_env("KHUI_DATABASE_URL"))
    timezone: str = Field("Asia/Bangkok", validation_alias=_env("KHUI_TIMEZONE"))
    slack_bot_token: str = Field("", validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_signing_secret: str = Field("", validation_alias=_env("SLACK_SIGNING_SECRET"))
    slack_app_token: str = Field("", validation_alias=_env("SLACK_APP_TOKEN"))
    line_channel_secret: str = Field("", validation_alias=_env("LINE_CHANNEL_SECRET"))
    line_channel_access_token: str = Field("", validation_alias=_env("LINE_CHANNEL_ACCESS_TOKEN"))
    slack_api_url: str = Field(
        "https://slack.com/api/", validation_alias=_env("KHUI_SLACK_API_URL")
    )
    line_api_url: str = Field("https://api.line.me", validation_alias=_env("KHUI_LINE_API_URL"))
    support_channel: str = Field("", validation_alias=_env("KHUI_SUPPORT_CHANNEL"))
    manager_channel: str = Field("", validation_alias=_env("KHUI_MANAGER_CHANNEL"))
    digest_time: str = Field("08:30", validation_alias=_env("KHUI_DIGEST_TIME"))
    chart_dir: str = Field("./khui-charts", validation_alias=_env("KHUI_CHART_DIR"))

    @field_validator("digest_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        """A local wall-clock time, H:MM or HH:MM, kept as HH:MM."""
        found = _CLOCK.fullmatch(value.strip())
        if found is None:
            raise ValueError(f"KHUI_DIGEST_TIME must be HH:MM (24-hour), got {value!r}")
        return f"{int(found[1]):02d}:{found[2]}"
