"""Benchmarks of Hanout (`make bench`): each figure beside a baseline measured in the same run.

Not tests: nothing here is collected by pytest. The fakes of the test suite (Telegram Bot
API, Yalidine) are imported from `tests.fakes` and `tests.couriers`, the same servers the
tests drive.
"""
