"""infra/terraform declares exactly what the code uses: every function folder and entry point,
every topic, subscription and scheduled tick, every secret and every environment variable the
code reads; and nothing it declares is unused. Read with python-hcl2; the code is read at test
time (tests/infra/code_truth.py), so a new topic or setting without its Terraform fails here."""

from __future__ import annotations

import json
from pathlib import Path

from devtools import topology
from tests.infra import code_truth as code
from tests.infra import terraform as tf

FUNCTIONS = tf.local("functions")


def test_one_cloud_function_per_served_target_with_its_folder_and_entry_point() -> None:
    served = {f.name: f for f in topology.FUNCTIONS}
    assert set(FUNCTIONS) == set(served)
    for name, fn in FUNCTIONS.items():
        target = served[name]
        assert (fn["folder"], fn["entry_point"]) == (target.folder, target.target), name
        kinds = code.entry_points(fn["folder"])
        assert fn["entry_point"] in kinds, (
            f"{name}: functions/{fn['folder']}/main.py has no {fn['entry_point']}()"
        )
        # HTTP targets are the public endpoints; CloudEvent targets are fed by Pub/Sub push or Eventarc.
        expected = {"http": {"public"}, "cloudevent": {"push", "firestore"}}[kinds[fn["entry_point"]]]
        assert fn["trigger"] in expected, (
            f"{name}: trigger {fn['trigger']} for a {kinds[fn['entry_point']]} target"
        )


def test_every_function_folder_is_deployed() -> None:
    assert {fn["folder"] for fn in FUNCTIONS.values()} == code.function_folders()


def test_the_function_resource_is_built_from_the_table() -> None:
    fn = tf.resource("google_cloudfunctions2_function", "function")
    assert fn["for_each"] == "${local.functions}"
    assert fn["name"] == "${each.key}"
    build = fn["build_config"][0]
    assert build["runtime"] == "python312"
    assert build["entry_point"] == "${each.value.entry_point}"
    assert "bundle[each.value.folder]" in build["source"][0]["storage_source"][0]["object"]
    service = fn["service_config"][0]
    assert service["service_account_email"] == "${google_service_account.function[each.key].email}"
    for key in (
        "available_memory",
        "timeout_seconds",
        "max_instance_request_concurrency",
        "max_instance_count",
    ):
        assert service[key].startswith("${each.value."), key
    for name, spec in FUNCTIONS.items():
        assert 1 <= spec["timeout"] <= 540 and spec["concurrency"] >= 1 and spec["max"] >= 1, name


def test_one_service_account_per_function() -> None:
    sa = tf.resource("google_service_account", "function")
    assert sa["for_each"] == "${local.functions}"
    assert "${each.key}" in sa["account_id"]
    longest = max(len(f"wacrm-{name}") for name in FUNCTIONS)
    assert longest <= 30, "service account ids are limited to 30 characters"


def test_topics_are_those_the_code_uses() -> None:
    used = code.topics_used() - set(code.LOCAL_ONLY_TOPICS)
    assert set(tf.local("topics")) == used


def test_each_topic_has_a_dead_letter_topic_kept_by_a_subscription() -> None:
    for kind in ("google_pubsub_topic", "google_pubsub_subscription"):
        dead = tf.resource(kind, "dead_letter")
        assert dead["for_each"] == "${toset(local.topics)}"
        assert dead["name"] == "${each.key}-dead-letter"
    assert tf.resource("google_pubsub_topic", "topic")["for_each"] == "${toset(local.topics)}"


def test_subscriptions_mirror_the_topology_with_retry_and_dead_letters() -> None:
    declared = tf.local("subscriptions")
    expected = {
        s.name: (s.topic, s.push_to) for s in topology.SUBSCRIPTIONS if s.topic not in code.LOCAL_ONLY_TOPICS
    }
    assert {name: (s["topic"], s["push_to"]) for name, s in declared.items()} == expected
    for name, sub in declared.items():
        assert sub["push_to"] is None or FUNCTIONS[sub["push_to"]]["trigger"] == "push", name
        assert 5 <= sub["max_attempts"] <= 100, name
    sub = tf.resource("google_pubsub_subscription", "subscription")
    assert sub["for_each"] == "${local.subscriptions}"
    backoff = sub["retry_policy"][0]
    assert backoff["minimum_backoff"] < backoff["maximum_backoff"], "exponential back-off needs a range"
    dead = sub["dead_letter_policy"][0]
    assert "google_pubsub_topic.dead_letter[each.value.topic]" in dead["dead_letter_topic"]
    assert dead["max_delivery_attempts"] == "${each.value.max_attempts}"
    push = sub["dynamic"][0]["push_config"]["content"][0]
    assert "oidc_token" in push, "push subscriptions must authenticate to the functions"


def test_push_targets_are_invokable_and_the_pull_subscriber_may_pull() -> None:
    invoker = tf.resource("google_cloud_run_v2_service_iam_member", "invoker")
    assert 'fn.trigger != "public"' in invoker["for_each"]
    pulled = [name for name, s in tf.local("subscriptions").items() if s["push_to"] is None]
    assert pulled == ["analytics-rollup"]
    grant = tf.resource("google_pubsub_subscription_iam_member", "rollup_pulls_events")
    assert grant["role"] == "roles/pubsub.subscriber"
    assert '["analytics-rollup"]' in grant["subscription"] and '["analytics-rollup"]' in grant["member"]
    assert tf.local("plain_env")["SUBSCRIPTION_ANALYTICS"] == "analytics-rollup"


def test_local_only_topics_have_their_cloud_replacement() -> None:
    for topic in code.LOCAL_ONLY_TOPICS:
        consumers = [s.push_to for s in topology.SUBSCRIPTIONS if s.topic == topic]
        assert consumers, f"{topic} is consumed by nothing"
        for consumer in consumers:
            assert FUNCTIONS[consumer]["trigger"] == "firestore"
    trigger = tf.resource("google_cloudfunctions2_function", "function")["dynamic"][0]["event_trigger"]
    content = trigger["content"][0]
    assert content["event_type"] == "google.cloud.firestore.document.v1.created"
    assert content["retry_policy"] == "RETRY_POLICY_RETRY"
    filters = {f["attribute"]: f["value"] for f in content["event_filters"]}
    assert filters["document"] == "${each.value.document}"
    assert FUNCTIONS["respond-outbox"]["document"] == "tenants/{tenant}/conversations/{wa}/outbox/{id}"
    assert FUNCTIONS["commerce-requests"]["document"] == "tenants/{tenant}/{collection}/{record}/requests/{id}"


def test_scheduler_jobs_mirror_the_local_schedule() -> None:
    def cron(seconds: int) -> str:
        assert seconds % 60 == 0, "Cloud Scheduler's finest interval is one minute"
        return "* * * * *" if seconds == 60 else f"*/{seconds // 60} * * * *"

    expected = {job: {"topic": topic, "schedule": cron(every)} for topic, job, every in topology.SCHEDULE}
    assert tf.local("schedule") == expected
    job = tf.resource("google_cloud_scheduler_job", "tick")
    assert job["for_each"] == "${local.schedule}"
    assert job["pubsub_target"][0]["data"] == "${base64encode(jsonencode({job = each.key}))}"


def test_secrets_are_exactly_the_secret_settings_and_never_plain_env() -> None:
    settings = code.settings_env()
    secrets = set(tf.local("secrets"))
    plain = set(tf.local("plain_env"))
    secret_settings = {name for name, is_secret in settings.items() if is_secret}
    assert secret_settings <= secrets, "a SecretStr setting has no Secret Manager secret"
    assert not (secrets | secret_settings) & plain, "a secret is wired as a plain environment variable"
    # Nothing declared is unused: each secret is a secret setting or an environment read.
    assert secrets <= secret_settings | set(code.env_reads())
    wired = {s for fn in FUNCTIONS.values() for s in fn["secrets"]}
    assert wired == secrets, "every secret reaches at least one function, and only declared ones"
    for name, fn in FUNCTIONS.items():
        assert len(set(fn["secrets"])) == len(fn["secrets"]), name


def test_secret_environment_variables_come_from_secret_manager() -> None:
    service = tf.resource("google_cloudfunctions2_function", "function")["service_config"][0]
    dynamic = service["dynamic"][0]["secret_environment_variables"]
    assert "each.value.secrets" in dynamic["for_each"]
    content = dynamic["content"][0]
    assert "google_secret_manager_secret.secret[" in content["secret"]
    assert service["environment_variables"] == (
        "${merge(local.plain_env, {THREADS = tostring(each.value.concurrency)})}"
    ), "every function gets the plain env plus THREADS = its concurrency"
    accessor = tf.resource("google_secret_manager_secret_iam_member", "accessor")
    assert "fn.secrets" in accessor["for_each"] and accessor["role"] == "roles/secretmanager.secretAccessor"


def test_every_environment_variable_the_code_reads_is_declared_and_none_unused() -> None:
    settings = code.settings_env()
    reads = code.env_reads()
    declared = set(tf.local("plain_env")) | set(tf.local("secrets"))
    wanted = (set(settings) | set(reads)) - set(code.NOT_DEPLOYED_ENV) - code.PLATFORM_ENV
    wanted = {name for name in wanted if not code.TEST_ENDPOINT_OVERRIDE.search(name)}
    missing = {name: reads.get(name, ["shared/settings.py"]) for name in wanted - declared}
    assert not missing, f"read by the code but not declared in infra/terraform/locals.tf: {missing}"
    assert declared <= set(settings) | set(reads), (
        f"declared but never read: {declared - set(settings) - set(reads)}"
    )
    assert not declared & set(code.NOT_DEPLOYED_ENV)


def test_published_topics_exist_and_each_topic_has_a_publisher_or_scheduler() -> None:
    topics = set(tf.local("topics"))
    published = {t for fn in FUNCTIONS.values() for t in fn["publishes"]}
    assert published <= topics
    scheduled = {job["topic"] for job in tf.local("schedule").values()}
    assert topics == published | scheduled, "a topic nobody publishes to"


def test_firestore_rules_and_indexes_come_from_the_repository_files() -> None:
    root = code.ROOT
    assert tf.local("repo_root") == '${abspath("${path.module}/../..")}'
    assert (tf.TERRAFORM_DIR / "../..").resolve() == root
    assert tf.local("rules_file") == "${local.repo_root}/firestore.rules"
    assert tf.local("indexes_file") == "${local.repo_root}/firestore.indexes.json"
    assert (root / "firestore.rules").is_file(), "firestore.rules (deployed by Terraform) is missing"
    indexes = json.loads((root / "firestore.indexes.json").read_text())
    for index in indexes.get("indexes", []):
        assert index["collectionGroup"] and index["fields"], index
        for field in index["fields"]:
            assert "fieldPath" in field and ("order" in field or "arrayConfig" in field), field


def test_ttl_policies_name_collections_the_code_uses() -> None:
    declared = tf.local("declared_ttls")
    literals = code.string_literals()
    for collection, field in declared.items():
        assert collection in literals, f"TTL on collection group {collection!r}, which no code names"
        assert field in literals, f"TTL field {field!r} of {collection!r} is never written by the code"


def test_outputs_give_the_webhook_and_the_sheet_push_urls() -> None:
    outs = tf.outputs()
    assert (
        outs["webhook_url"]["value"] == '${google_cloudfunctions2_function.function["respond-webhook"].url}'
    )
    assert (
        outs["sheet_push_url"]["value"]
        == '${google_cloudfunctions2_function.function["sheet-poller-push"].url}'
    )
    assert FUNCTIONS["respond-webhook"]["trigger"] == FUNCTIONS["sheet-poller-push"]["trigger"] == "public"
    assert tf.local("webhook_url").endswith("/respond-webhook")


def test_variables_have_descriptions_and_the_example_sets_only_declared_ones() -> None:
    variables = tf.variables()
    for name, spec in variables.items():
        assert tf.unquote(spec.get("description", "")), f"variable {name} has no description"
        assert "validation" in spec or spec.get("type") == "bool", f"variable {name} has no validation"
    example = Path(tf.TERRAFORM_DIR / "terraform.tfvars.example").read_text()
    import hcl2

    assigned = set(hcl2.loads(example)) - {"__comments__", "__inline_comments__"}
    assert "project_id" in assigned and assigned <= set(variables)


def test_each_function_folder_may_publish_to_the_topics_its_code_publishes_to() -> None:
    for folder in code.function_folders():
        granted = {t for fn in FUNCTIONS.values() if fn["folder"] == folder for t in fn["publishes"]}
        needed = code.topics_published_from(folder)
        missing = {topic: module for topic, module in needed.items() if topic not in granted}
        assert not missing, f"functions/{folder} publishes without roles/pubsub.publisher: {missing}"
    publisher = tf.resource("google_pubsub_topic_iam_member", "publisher")
    assert "fn.publishes" in publisher["for_each"] and publisher["role"] == "roles/pubsub.publisher"
