"""The fuzz suite: both web functions driven in this process under moto with the demo data, in a pytest process
of its own (its generated POSTs may change the demo data: no other suite shares its tables)."""

from tests.integration.conftest import apps, aws, isolated, seed  # noqa: F401 - the integration suite's fixtures
