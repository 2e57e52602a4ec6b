#!/usr/bin/env bash
# The "Audit" step of action.yml: build `safepip audit` arguments from the action's inputs, write
# the SARIF report (and annotations), and record safepip's exit code as a step output instead of
# failing, so the SARIF upload still happens; action.yml's last step fails the job.
#
# Inputs arrive as environment variables (never spliced into the script text):
#   AUDIT_PYTHON       interpreter with safepip installed
#   INPUT_FILES        files, separated by whitespace; *.txt / *.in are requirements files (-r)
#   INPUT_FAIL_ON      --fail-on value
#   INPUT_EXTRA_ARGS   more audit arguments, separated by whitespace
#   INPUT_SARIF_FILE   where to write SARIF
#   INPUT_ANNOTATIONS  "true" to also print --format github annotations
#   GITHUB_OUTPUT      the runner's step-output file
set -uo pipefail

files=()
extra=()
set -f  # words from inputs are never glob patterns
for word in ${INPUT_FILES:-}; do
  case "$word" in
    *.txt | *.in) files+=(-r "$word") ;;
    *) files+=("$word") ;;
  esac
done
for word in ${INPUT_EXTRA_ARGS:-}; do
  extra+=("$word")
done
set +f

if [ "${#files[@]}" -eq 0 ]; then
  echo "::error title=safepip::No files to audit: set the action's 'files' input."
  echo "exit-code=2" >>"$GITHUB_OUTPUT"
  exit 0
fi

sarif="${INPUT_SARIF_FILE:-safepip.sarif}"
rm -f -- "$sarif"
audit=("$AUDIT_PYTHON" -m safepip audit "${files[@]}" "${extra[@]}" --fail-on "${INPUT_FAIL_ON:-high}")

code=0
"${audit[@]}" --format sarif -o "$sarif" || code=$?
echo "exit-code=$code" >>"$GITHUB_OUTPUT"
if [ -s "$sarif" ]; then
  echo "sarif-file=$sarif" >>"$GITHUB_OUTPUT"
fi

# Exit 2/3 mean there are no findings to show; 0 may still carry warnings worth annotating.
# The second run reuses the cached metadata and scan results of the first.
if [ "${INPUT_ANNOTATIONS:-true}" = "true" ] && [ "$code" -le 1 ]; then
  "${audit[@]}" --format github || true
fi
exit 0
