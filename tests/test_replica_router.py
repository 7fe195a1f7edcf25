"""Reads that scale out (common/replica.py): inside `reads()` a read goes to the replica when one is configured,
and only outside a transaction on the primary; writes and migrations never go there. The real replica is
exercised in tests/consent/test_replica_pg.py (.ci/with_replica)."""

import pytest
from django.db import transaction

from accounts.models import Account
from common import replica

ROUTER = replica.ReplicaRouter()


@pytest.fixture
def with_replica(monkeypatch):
    """As with DATABASE_REPLICA_URL set (only whether one is configured: no connection is made here)."""
    monkeypatch.setattr(replica, "configured", lambda: True)


@pytest.mark.django_db(transaction=True)
def test_without_a_replica_every_read_stays_on_the_primary():
    assert not replica.configured()
    with replica.reads():
        assert replica.read_alias() == "default"
        assert ROUTER.db_for_read(Account) == "default"


@pytest.mark.django_db(transaction=True)
def test_with_a_replica_only_reads_inside_reads_go_there(with_replica):
    assert ROUTER.db_for_read(Account) == "default"
    with replica.reads():
        assert ROUTER.db_for_read(Account) == "replica"
        assert ROUTER.db_for_write(Account) == "default"
    assert ROUTER.db_for_read(Account) == "default"


@pytest.mark.django_db(transaction=True)
def test_inside_a_primary_transaction_reads_stay_with_its_writes(with_replica):
    with replica.reads(), transaction.atomic():
        assert ROUTER.db_for_read(Account) == "default"


def test_the_replica_is_never_migrated():
    assert ROUTER.allow_migrate("replica", "consent") is False
    assert ROUTER.allow_migrate("default", "consent") is True
