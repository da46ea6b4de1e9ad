"""Thai/English intent parser."""

from intents.models import CustomerName, ParseContext, ParseResult, Resolution
from intents.parser import parse
from intents.resolver import CustomerIndex

__all__ = ["CustomerIndex", "CustomerName", "ParseContext", "ParseResult", "Resolution", "parse"]
