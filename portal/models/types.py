"""Column types shared by the models."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from sqlalchemy import BigInteger, Numeric, String
from sqlalchemy.orm import mapped_column

from portal.database import UTCDateTime, now_utc

intpk = Annotated[int, mapped_column(primary_key=True)]
# An amount in the minor unit of its currency (cents; yen for JPY).
minor_units = Annotated[int, mapped_column(BigInteger)]
currency_code = Annotated[str, mapped_column(String(3))]
# A percentage such as 24.0000 for 24 %: tax rates, percent discounts and fees.
percent = Annotated[Decimal, mapped_column(Numeric(7, 4))]
utc_created = Annotated[datetime, mapped_column(UTCDateTime, default=now_utc)]
utc_timestamp = Annotated[datetime, mapped_column(UTCDateTime)]
