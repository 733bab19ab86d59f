/*
 * coremon-report's escaping (report/html.c), over every byte and random
 * strings: html_text() writes only printable ASCII with no markup
 * character, and reading its references and \xNN back gives the input
 * (what a page shows is the database's string, byte for byte);
 * html_json() writes a JSON string of printable ASCII with no < > & or '
 * that decodes to html_text()'s visible text; host page names are
 * plain file names, one per address; UTC days round-trip.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "report.h"

static char *
capture(void (*fn)(FILE *, const char *), const char *s)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	fn(f, s);
	fclose(f);
	return buf;
}

static int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : -1;
}

/* The bytes behind visible text: "\\" and "\xNN" read back; -1 if
 * malformed. */
static int
unvis(const char *vis, char *out, size_t cap)
{
	size_t	i = 0, o = 0, n = strlen(vis);

	while (i < n && o + 1 < cap) {
		if (vis[i] == '\\' && vis[i + 1] == '\\') {
			out[o++] = '\\';
			i += 2;
		} else if (vis[i] == '\\' && vis[i + 1] == 'x' &&
		    hexval(vis[i + 2]) >= 0 && hexval(vis[i + 3]) >= 0) {
			out[o++] = (char)(hexval(vis[i + 2]) * 16 + hexval(vis[i + 3]));
			i += 4;
		} else if (vis[i] == '\\')
			return -1;
		else
			out[o++] = vis[i++];
	}
	out[o] = '\0';
	return 0;
}

/* The text a browser shows for html_text()'s output (its references
 * read), then the bytes behind it; -1 if malformed. */
static int
unhtml(const char *in, char *out, size_t cap)
{
	static const char *const ent[][2] = { { "&amp;", "&" }, { "&lt;", "<" },
	    { "&gt;", ">" }, { "&quot;", "\"" }, { "&#39;", "'" } };
	char	 vis[4096];
	size_t	 n = 0, i;

	while (*in != '\0' && n + 1 < sizeof(vis)) {
		if (*in == '&') {
			for (i = 0; i < 5; i++)
				if (strncmp(in, ent[i][0], strlen(ent[i][0])) == 0)
					break;
			if (i == 5)
				return -1;
			vis[n++] = ent[i][1][0];
			in += strlen(ent[i][0]);
		} else
			vis[n++] = *in++;
	}
	vis[n] = '\0';
	return unvis(vis, out, cap);
}

/* A JSON string's value (ASCII escapes only), or -1. */
static int
unjson(const char *in, char *out, size_t cap)
{
	size_t	o = 0;

	if (*in++ != '"')
		return -1;
	while (*in != '"' && *in != '\0' && o + 1 < cap) {
		if (*in != '\\') {
			out[o++] = *in++;
			continue;
		}
		in++;
		if (*in == '"' || *in == '\\' || *in == '/')
			out[o++] = *in++;
		else if (*in == 'u' && strncmp(in + 1, "00", 2) == 0 &&
		    hexval(in[3]) >= 0 && hexval(in[4]) >= 0) {
			out[o++] = (char)(hexval(in[3]) * 16 + hexval(in[4]));
			in += 5;
		} else
			return -1;
	}
	out[o] = '\0';
	return *in == '"' && in[1] == '\0' ? 0 : -1;
}

static int
plain(const char *s, const char *forbidden)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e || strchr(forbidden, *s) != NULL)
			return 0;
	return 1;
}

/* in -> html_text and html_json: both plain, both showing in exactly. */
static int
escapes_ok(const char *in)
{
	char	*h = capture(html_text, in), *j = capture(html_json, in);
	char	 back[1024], jv[4096], jback[1024];
	int	 ok;

	ok = h != NULL && j != NULL && plain(h, "<>\"'") && plain(j, "<>&'") &&
	    unhtml(h, back, sizeof(back)) == 0 && strcmp(back, in) == 0 &&
	    unjson(j, jv, sizeof(jv)) == 0 &&
	    /* the JSON's value is the visible text, so the filter shows
	     * what the tables show */
	    unvis(jv, jback, sizeof(jback)) == 0 && strcmp(jback, in) == 0;
	free(h);
	free(j);
	return ok;
}

int
main(void)
{
	char		 s[64], a[600], b[600];
	int		 c, i, bad = 0, day, days;
	unsigned int	 seed = 13;

	for (c = 1; c < 256; c++) {
		s[0] = (char)c;
		s[1] = '\0';
		bad += !escapes_ok(s);
	}
	CHECK(bad == 0, "every byte 1..255 alone: html_text and html_json write "
	    "plain ASCII without markup and read back to the byte (%d bad)", bad);
	bad = 0;
	for (i = 0; i < 20000; i++) {
		int n = rand_r(&seed) % 40, k;

		for (k = 0; k < n; k++)
			s[k] = (char)(rand_r(&seed) % 255 + 1);
		s[n] = '\0';
		bad += !escapes_ok(s);
	}
	CHECK(bad == 0, "20,000 random strings read back the same (%d bad)", bad);
	CHECK(escapes_ok("<script>alert(1)</script>\"'x\x01&amp;\\x41"),
	    "the test's hostile name, and a literal \\x41, read back the same");

	bad = 0;
	for (i = 0; i < 20000; i++) {
		int n = rand_r(&seed) % 40 + 1, k;
		char t[64];

		for (k = 0; k < n; k++)
			s[k] = (char)(rand_r(&seed) % 255 + 1);
		s[n] = '\0';
		memcpy(t, s, (size_t)n + 1);
		t[rand_r(&seed) % n] ^= (char)(rand_r(&seed) % 254 + 1);
		html_host_page(a, sizeof(a), s);
		html_host_page(b, sizeof(b), t);
		if (strncmp(a, "host-", 5) != 0 || !plain(a, "/%?#<>\"' &\\") ||
		    strcmp(a + strlen(a) - 5, ".html") != 0 ||
		    (strcmp(s, t) != 0 && strcmp(a, b) == 0))
			bad++;
	}
	html_host_page(a, sizeof(a), "2001:db8::1");
	CHECK(bad == 0 && strcmp(a, "host-2001_db8__1.html") == 0,
	    "host page names: plain file names, different for different "
	    "addresses (%d bad of 20,000), 2001:db8::1 -> %s", bad, a);

	bad = 0;
	days = 0;
	for (day = 19700101; day < 21000101; day = html_day_of(html_day_start(day) + 86400)) {
		if (html_day_of(html_day_start(day)) != day ||
		    html_day_start(day) % 86400 != 0)
			bad++;
		days++;
	}
	CHECK(bad == 0 && days == 47482 && html_day_of(951782400) == 20000229,
	    "UTC days 1970..2099 round-trip (%d days, %d bad), 2000-02-29", days, bad);
	return check_done();
}
