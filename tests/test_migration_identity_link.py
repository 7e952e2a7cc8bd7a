"""The migration that moves the Entra ID link from our own table to allauth's SocialAccount: nobody gets a
new account or loses a role from a group at the first sign-in after the upgrade."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import drop_truncate_guards

BEFORE = [("assessments", "0006_version_scores_for_lists"), ("socialaccount", "0006_alter_socialaccount_extra_data")]
AFTER = [("assessments", "0007_identity_link_on_allauth")]


@pytest.mark.django_db(transaction=True)
def test_identities_and_their_roles_move_to_allauth():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="kari", password="!")
    roles = {"agencies": {"7": "leader"}, "municipal": {"reviewer": "all"}}
    old.get_model("assessments", "ExternalIdentity").objects.create(
        user=user, issuer="https://login.example.org/t/v2.0", subject="oid-kari", managed_roles=roles
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    account = new.get_model("socialaccount", "SocialAccount").objects.get()
    assert (account.provider, account.uid, account.user_id) == ("entra", "oid-kari", user.pk)
    assert new.get_model("assessments", "GroupRoles").objects.get(user_id=user.pk).managed_roles == roles

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    drop_truncate_guards(connection)  # the test database is emptied with TRUNCATE after the test
