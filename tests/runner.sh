# The one test runner of make check and make check-contrib (POSIX sh,
# sourced).  Each test prints "ok - ...", "not ok - ..." or "skip - ..."
# lines; a test that exits non-zero without a "not ok" line counts as one
# failure.  run_one NAME COMMAND...: runs it, logs to $log/NAME.log (a "/"
# in NAME becomes "-") and adds to passed, failed and skipped.
passed=0; failed=0; skipped=0

run_one() {
	name=$1; shift
	out=$log/$(echo "$name" | tr / -).log
	start=$(date +%s)
	"$@" >"$out" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$out"); f=$(grep -c '^not ok ' "$out")
	s=$(grep -c '^skip ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc" >>"$out"; f=1
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	# One write, so that a lane beside this one cannot cut into it.
	block=$(printf '%-34s %4d passed %3d failed %3d skipped  %3ds\n' \
		"$name" "$p" "$f" "$s" $(($(date +%s) - start))
	if [ "$f" -ne 0 ]; then grep -E '^(not ok|#)' "$out" | head -40; fi
	grep '^skip ' "$out" | head -8)
	printf '%s\n' "$block"
}
