"""The weeks the trend's comparisons look at: the first, the last and the last complete one."""

from __future__ import annotations

import math

#: Days in a week of the trend figures and comparisons.
WEEK_DAYS = 7

#: Periods of `non_adopter_sources`, in time order.
TREND_PERIODS = ("first week", "last week")


def last_week(duration_days: int) -> tuple[int, int]:
    """First and last feed day of the last week of the run (days D - 7 .. D - 1)."""
    return max(duration_days - WEEK_DAYS, 0), duration_days - 1


def trend_periods(duration_days: int) -> dict[str, tuple[int, int]]:
    """First and last feed day of each of `TREND_PERIODS`: days 0-6 and D - 7..D - 1
    (they overlap in a run shorter than two weeks)."""
    return {
        TREND_PERIODS[0]: (0, min(WEEK_DAYS, duration_days) - 1),
        TREND_PERIODS[1]: last_week(duration_days),
    }


def complete_weeks(duration_days: int, life_days: float) -> dict[str, tuple[int, int]]:
    """First and last feed day of the first week and of the last week whose posts are all
    complete (`daily_trend_outcomes`): days 0..6 and L - 7..L - 1 with L = floor(D -
    life_days), each cut to the days that exist (they overlap in a short run)."""
    last = max(math.floor(duration_days - life_days), 1)
    return {
        TREND_PERIODS[0]: (0, min(WEEK_DAYS, last) - 1),
        TREND_PERIODS[1]: (max(last - WEEK_DAYS, 0), last - 1),
    }
