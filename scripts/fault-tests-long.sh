#!/usr/bin/env bash
# The long variants of the fault tests (issue 6): 20 kills of the API per backend, 5 PostgreSQL restarts, and the
# two-node topology, against throwaway PostgreSQL clusters. Prints one summary line per test. See docs/fault-tests.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMS_FAULTS_KILLS="${OMS_FAULTS_KILLS:-20}" OMS_FAULTS_DB_RESTARTS="${OMS_FAULTS_DB_RESTARTS:-5}"
dotnet build tests/EventSourcedOms.Faults.Tests -v q -nologo | grep -E "error|Warn|Elapsed" || true
dotnet exec tests/EventSourcedOms.Faults.Tests/bin/Debug/net10.0/EventSourcedOms.Faults.Tests.dll -showLiveOutput \
  | sed 's/\x1b\[[0-9;]*m//g' | grep -v '\[OUTPUT\]' | grep -E "^(KillUnderLoad|DatabaseRestart|TwoApis)[A-Za-z]*: |FAIL|Total:"
