# tshark's figures for the history database's tests (history.sh,
# history_pg.sh), sourced after tests/lib.sh.

# tshark_sums NAME FILE LOCAL-AWK-REGEX INTERVAL: tshark's figures for
# the frames of FILE, in $T/NAME.ts.{W,S,X,H}, each frame put in the
# window of the grid (multiples of INTERVAL) that holds its second; the
# first window starts at the first frame, inside its grid window.
# "in" is what the remote end sent, as the schema says.  The service is
# that of the default catalogue: a port of it if either port is (the
# smaller when both are), else the smaller port under 1024, "other".
tshark_sums() {
	tshark -r "$2" -T fields -E separator=';' -E occurrence=f \
		-e frame.time_epoch -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
		-e ip.proto -e ipv6.nxt -e tcp.srcport -e tcp.dstport \
		-e udp.srcport -e udp.dstport -e frame.len 2>/dev/null |
	awk -F';' -v L="$3" -v I="$4" -v out="$T/$1.ts" '
	function svc(pr, p) {
		if (pr == 6) {
			if (p == 20 || p == 21) return "ftp"; if (p == 22) return "ssh"
			if (p == 23) return "telnet"; if (p == 53) return "dns"
			if (p == 25 || p == 110 || p == 143 || p == 465 || p == 587 || p == 993 || p == 995) return "mail"
			if (p == 80 || p == 443 || p == 8080 || p == 8443) return "www"
		} else if (pr == 17) {
			if (p == 53) return "dns"; if (p == 443) return "www"; if (p == 123) return "ntp"
		}
		return ""
	}
	# YYYYMMDD of unix seconds, UTC (days to civil date).
	function day(t,   z, era, doe, yoe, y, doy, mp, d, m) {
		z = int(t / 86400) + 719468; era = int(z / 146097); doe = z - era * 146097
		yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
		y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
		mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
		m = mp < 10 ? mp + 3 : mp - 9; if (m <= 2) y++
		return y * 10000 + m * 100 + d
	}
	{
		split($1, tp, "."); sec = tp[1] + 0; ts = $1 + 0; len = $12
		s = $2; d = $3; pr = $6
		if (s == "") { s = $4; d = $5; pr = $7 }
		if (s == "") next				# not IP
		g = sec - sec % I
		sl = (s ~ L); dl = (d ~ L)
		if (sl && dl) { loc[g] += len; win[g] = 1; next }
		if (!sl && !dl) { transit++; next }
		if (sl) { la = s; ra = d; dir = "o" } else { la = d; ra = s; dir = "i" }
		sp = ""; dp = ""
		if (pr == 6) { sp = $8; dp = $9 } else if (pr == 17) { sp = $10; dp = $11 }
		if (sp == "") { port = 0; sv = "other" }
		else {
			a = svc(pr, sp + 0); b = svc(pr, dp + 0)
			if (a != "" && (b == "" || sp + 0 <= dp + 0)) { port = sp; sv = a }
			else if (b != "") { port = dp; sv = b }
			else { port = (sp + 0 < dp + 0 ? sp : dp) + 0; if (port >= 1024) port = 0; sv = "other" }
		}
		win[g] = 1
		wo[g, dir] += len; wp[g, dir]++
		k = g SUBSEP sv; svk[k] = 1; so[k, dir] += len; spk[k, dir]++
		k = g SUBSEP pr SUBSEP la SUBSEP ra SUBSEP port SUBSEP sv; xk[k] = 1; xo[k, dir] += len; xp[k, dir]++
		nsess[g] += (xp[k, "i"] + xp[k, "o"] == 1)
		k = day(g) SUBSEP ra SUBSEP sv; hk[k] = 1; ho[k, dir] += len; hp[k, dir]++
		if (!(k in hmin) || ts < hmin[k]) hmin[k] = ts
		if (!(k in hmax) || ts > hmax[k]) hmax[k] = ts
	}
	END {
		for (g in win) print g, wo[g, "i"] + 0, wo[g, "o"] + 0, wp[g, "i"] + 0, wp[g, "o"] + 0, nsess[g] + 0, loc[g] + 0 >(out ".W")
		for (k in svk) { split(k, f, SUBSEP)
			print f[1], f[2], so[k, "i"] + 0, so[k, "o"] + 0, spk[k, "i"] + 0, spk[k, "o"] + 0 >(out ".S") }
		for (k in xk) { split(k, f, SUBSEP)
			print f[1], f[2], f[3], f[4], f[5], f[6], xo[k, "i"] + 0, xo[k, "o"] + 0, xp[k, "i"] + 0, xp[k, "o"] + 0 >(out ".X") }
		# first and last seen: the second of the frame, or the one
		# before when the frame is within the 1.024 ms tick after it.
		for (k in hk) { split(k, f, SUBSEP)
			print f[1], f[2], f[3], ho[k, "i"] + 0, ho[k, "o"] + 0, hp[k, "i"] + 0, hp[k, "o"] + 0,
				int(hmin[k]), int(hmin[k] - 0.001024), int(hmax[k]), int(hmax[k] - 0.001024) >(out ".H") }
		print transit + 0 >(out ".transit")
	}'
	for x in W S X; do sort -o "$T/$1.ts.$x" "$T/$1.ts.$x"; done
}

# hosts_diff TSHARK-H DB-H: nothing when the database's day_hosts lines
# ("day addr service oct_in oct_out pkt_in pkt_out first last") are
# tshark's, else what differs.  First and last seen may be the second
# before the frame's (the sessions' 1.024 ms tick).
hosts_diff() {
	awk 'NR == FNR { t[$1 " " $2 " " $3] = $0; next }
		{ k = $1 " " $2 " " $3; if (!(k in t)) { print "extra: " $0; next }
		  split(t[k], w, " "); delete t[k]
		  if ($4 != w[4] || $5 != w[5] || $6 != w[6] || $7 != w[7] ||
		      ($8 != w[8] && $8 != w[9]) || ($9 != w[10] && $9 != w[11])) print "db " $0 " tshark " w[4], w[5], w[6], w[7], w[8], w[10] }
		END { for (k in t) print "missing: " t[k] }' "$1" "$2" || echo "awk failed"
}
