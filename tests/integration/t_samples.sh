#!/usr/bin/env bash
# t_samples.sh: the deployment samples parse.  systemd-analyze verify
# accepts samples/systemd/*.{service,timer} (with ExecStart= pointed at the
# binary under test, since /usr/local/bin/certsweep need not exist) and
# prints nothing (it only warns about unknown keys); the Kubernetes sample
# parses as YAML and is an Indexed Job of 4 running certsweep scan --shard.
# Either part is skipped when its tool is missing; both missing is a skip.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

D=$CS_TEST_DIR
checked=0

if command -v systemd-analyze >/dev/null; then
	mkdir -p "$D/units"
	for f in "$CS_ROOT"/samples/systemd/*.service "$CS_ROOT"/samples/systemd/*.timer; do
		sed "s|/usr/local/bin/certsweep|$CERTSWEEP|" "$f" >"$D/units/${f##*/}"
	done
	if ! (cd "$D/units" && systemd-analyze verify --man=no ./*.service ./*.timer) \
	    >"$D/verify.out" 2>&1 || [[ -s $D/verify.out ]]; then
		sed 's/^/  /' "$D/verify.out" >&2
		fail "systemd-analyze verify rejects samples/systemd"
	fi
	note "systemd-analyze verify: ok"
	checked=$((checked + 1))
else
	note "systemd-analyze missing: systemd units not checked"
fi

if "$CS_PY" -c 'import yaml' 2>/dev/null; then
	if ! "$CS_PY" - "$CS_ROOT/samples/k8s/certsweep-shards.yaml" <<'PY'
import sys
import yaml

docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kinds = sorted(d["kind"] for d in docs)
assert kinds == ["ConfigMap", "Job", "PersistentVolumeClaim"], kinds
job = next(d for d in docs if d["kind"] == "Job")
spec = job["spec"]
assert spec["completionMode"] == "Indexed", spec
assert spec["completions"] == 4 and spec["parallelism"] == 4, spec
pod = spec["template"]["spec"]
cmd = " ".join(pod["containers"][0]["command"] + pod["containers"][0]["args"])
for want in ("certsweep scan", "--shard $((JOB_COMPLETION_INDEX+1))/4",
             "-iL /targets/targets.txt", "/out/shard-$(JOB_COMPLETION_INDEX).db"):
    assert want in cmd, (want, cmd)
mounts = {m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
assert {"/targets", "/out"} <= mounts, mounts
PY
	then
		fail "samples/k8s/certsweep-shards.yaml is not the expected Indexed Job"
	fi
	note "k8s YAML: ok"
	checked=$((checked + 1))
else
	note "python3 yaml module missing: k8s sample not checked"
fi

[[ $checked -gt 0 ]] ||
    skip "neither systemd-analyze nor python3-yaml is installed"
echo "ok"
