/*
 * xmpp.c: XMPP STARTTLS (RFC 6120 §5) for clients (5222, jabber:client)
 * and servers (5269, jabber:server).
 *
 *   C: <?xml version='1.0'?><stream:stream to='DOMAIN' ...>
 *   S: <stream:stream ...><stream:features>
 *        <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/>
 *        </starttls> ... </stream:features>
 *   C: <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>
 *   S: <proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>     -> TLS
 *
 * No XML library: a tiny bounded tag scanner.  It cuts the stream into
 * tags (quotes respected, comments and processing instructions skipped),
 * counts element depth and looks only at names and xmlns.  Text between
 * tags is skipped, bounded.
 *
 * Hazards handled:
 *  [XML-TAG-UNBOUNDED]  a tag that never closes: capped at XMPP_TAG_MAX.
 *  [XML-TEXT-UNBOUNDED] endless text: capped at XMPP_TEXT_MAX per run.
 *  [XML-DEPTH]          nesting beyond XMPP_DEPTH_MAX is an error, so the
 *                       depth counter cannot overflow.
 */
#include "probes/probe.h"

#include <string.h>

#include "probes/line.h"
#include "scanner/log.h"

#define XMPP_TAG_MAX	2048
#define XMPP_TEXT_MAX	8192
#define XMPP_DEPTH_MAX	32
#define XMPP_NS_TLS	"urn:ietf:params:xml:ns:xmpp-tls"

enum xmpp_phase {
	XMPP_STREAM,		/* waiting for <stream:stream> */
	XMPP_FEATURES,		/* reading up to </stream:features> */
	XMPP_PROCEED,		/* sent <starttls/>, waiting for <proceed/> */
	XMPP__MAX
};

static const char *const xmpp_phase_names[] = {
	[XMPP_STREAM] = "stream",
	[XMPP_FEATURES] = "features",
	[XMPP_PROCEED] = "proceed",
};
_Static_assert(sizeof(xmpp_phase_names) / sizeof(xmpp_phase_names[0]) ==
    XMPP__MAX, "every XMPP phase has a name");

struct xmpp {
	enum xmpp_phase	 phase;
	bool		 in_tag;
	bool		 in_garbage;	/* not XML: kept for the reason */
	char		 quote;		/* inside an attribute value */
	int		 depth;		/* open elements, the stream is 1 */
	bool		 in_features, in_starttls, in_error;
	bool		 has_starttls, required;
	size_t		 textlen;
	size_t		 taglen;
	char		 tag[XMPP_TAG_MAX + 1];
	char		 features[PROBE_TEXT_MAX + 1];
	char		 condition[64];	/* of a stream error */
};

static void
xmpp_set_state(struct xmpp *st, enum xmpp_phase next)
{
	log_debug("xmpp: %s -> %s", xmpp_phase_names[st->phase],
	    xmpp_phase_names[next]);
	st->phase = next;
}

static void
xmpp_open(struct probe_ctx *ctx, const char *ns)
{
	const char *name = probe_server_name(ctx);

	probe_sendf(ctx, "<?xml version='1.0'?><stream:stream%s%s%s "
	    "xmlns='%s' xmlns:stream='http://etherx.jabber.org/streams' "
	    "version='1.0'>", line_is_safe_name(name) ? " to='" : "",
	    line_is_safe_name(name) ? name : "",
	    line_is_safe_name(name) ? "'" : "", ns);
}

static enum probe_rc
xmpp_start_client(struct probe_ctx *ctx, void *state)
{
	(void)state;
	xmpp_open(ctx, "jabber:client");
	return PROBE_MORE;
}

static enum probe_rc
xmpp_start_server(struct probe_ctx *ctx, void *state)
{
	(void)state;
	xmpp_open(ctx, "jabber:server");
	return PROBE_MORE;
}

/* The value of attribute attr in tag into out; false if absent. */
static bool
xmpp_attr(const char *tag, const char *attr, char *out, size_t outsz)
{
	size_t n = strlen(attr), vl;
	const char *p = tag, *v, *e;

	while ((p = strstr(p, attr)) != NULL) {
		v = p + n;
		if (p > tag && (p[-1] == ' ' || p[-1] == '\t' ||
		    p[-1] == '\r' || p[-1] == '\n')) {
			while (*v == ' ')
				v++;
			if (*v == '=') {
				for (v++; *v == ' '; v++)
					;
				if ((*v == '\'' || *v == '"') &&
				    (e = strchr(v + 1, *v)) != NULL) {
					vl = (size_t)(e - v - 1);
					line_clean(out, outsz, v + 1, vl);
					return true;
				}
			}
		}
		p += n;
	}
	return false;
}

static enum probe_rc
xmpp_features_done(struct probe_ctx *ctx, struct xmpp *st)
{
	probe_note(ctx, "capabilities", st->features);
	if (!st->has_starttls)
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "no <starttls/> in XMPP stream features: %s",
		    st->features[0] != '\0' ? st->features : "(none)");
	probe_note(ctx, "starttls", st->required ? "required" : "optional");
	probe_sendf(ctx, "<starttls xmlns='" XMPP_NS_TLS "'/>");
	xmpp_set_state(st, XMPP_PROCEED);
	return PROBE_MORE;
}

static enum probe_rc
xmpp_close(struct probe_ctx *ctx, struct xmpp *st, const char *name)
{
	if (st->depth <= 1 || strcmp(name, "stream:stream") == 0)
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "XMPP server closed the stream%s%s",
		    st->condition[0] != '\0' ? ": " : "", st->condition);
	st->depth--;
	if (st->depth == 1 && st->in_error)
		return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
		    "XMPP stream error: %s", st->condition[0] != '\0' ?
		    st->condition : "(no condition)");
	if (st->depth == 2)
		st->in_starttls = false;
	if (st->depth == 1 && st->in_features) {
		st->in_features = false;
		return xmpp_features_done(ctx, st);
	}
	return PROBE_MORE;
}

/* A child of <stream:stream> or deeper; depth is the parent's. */
static enum probe_rc
xmpp_child(struct probe_ctx *ctx, struct xmpp *st, const char *name,
    const char *ns, bool empty)
{
	bool tls = strcmp(ns, XMPP_NS_TLS) == 0;

	if (st->depth == 1) {
		if (strcmp(name, "stream:error") == 0)
			st->in_error = true;
		else if (st->phase == XMPP_PROCEED && tls &&
		    strcmp(name, "proceed") == 0)
			return PROBE_START_TLS;
		else if (st->phase == XMPP_PROCEED && tls &&
		    strcmp(name, "failure") == 0)
			return probe_fail(ctx, SCAN_STARTTLS_REFUSED,
			    "XMPP server answered <failure/> to <starttls/>");
		else if (st->phase == XMPP_FEATURES &&
		    strcmp(name, "stream:features") == 0) {
			if (empty)
				return xmpp_features_done(ctx, st);
			st->in_features = true;
		}
	} else if (st->depth == 2 && st->in_error) {
		if (st->condition[0] == '\0')
			line_clean(st->condition, sizeof(st->condition), name,
			    strlen(name));
	} else if (st->depth == 2 && st->in_features) {
		line_cap_add(st->features, sizeof(st->features), name, NULL);
		if (tls && strcmp(name, "starttls") == 0) {
			st->has_starttls = true;
			st->in_starttls = !empty;
		}
	} else if (st->depth == 3 && st->in_starttls &&
	    strcmp(name, "required") == 0)
		st->required = true;
	return PROBE_MORE;
}

/* A complete tag, without its '<' and '>'. */
static enum probe_rc
xmpp_tag(struct probe_ctx *ctx, struct xmpp *st)
{
	char name[64], ns[64] = "", banner[PROBE_TEXT_MAX + 1];
	const char *t = st->tag;
	bool empty = st->taglen > 0 && t[st->taglen - 1] == '/';
	enum probe_rc rc;
	size_t n;

	if (*t == '?' || *t == '!')
		return PROBE_MORE;	/* <?xml ...?>, comments */
	n = strcspn(t + (*t == '/'), " \t\r\n/");
	line_clean(name, sizeof(name), t + (*t == '/'), n);
	if (*t == '/')
		return xmpp_close(ctx, st, name);
	xmpp_attr(t, "xmlns", ns, sizeof(ns));
	if (st->phase == XMPP_STREAM) {
		if (strcmp(name, "stream:stream") != 0)
			return line_unexpected(ctx, "XMPP", t, st->taglen);
		line_clean(banner, sizeof(banner), t, st->taglen);
		probe_note(ctx, "banner", banner);
		xmpp_set_state(st, XMPP_FEATURES);
		st->depth = 1;
		return PROBE_MORE;
	}
	rc = xmpp_child(ctx, st, name, ns, empty);
	if (rc != PROBE_MORE || empty)
		return rc;
	if (++st->depth > XMPP_DEPTH_MAX)	/* [XML-DEPTH] */
		return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
		    "XML nested deeper than %d elements", XMPP_DEPTH_MAX);
	return PROBE_MORE;
}

/* Whether the tag is complete at this '>'; comments end only at "-->". */
static bool
xmpp_tag_ends(const struct xmpp *st)
{
	if (st->quote != 0)
		return false;
	if (st->taglen >= 3 && memcmp(st->tag, "!--", 3) == 0)
		return st->taglen >= 5 &&
		    memcmp(st->tag + st->taglen - 2, "--", 2) == 0;
	return true;
}

/* One byte inside a tag; a complete tag is handed to xmpp_tag(). */
static enum probe_rc
xmpp_tag_byte(struct probe_ctx *ctx, struct xmpp *st, uint8_t c)
{
	if (c == '>' && xmpp_tag_ends(st)) {
		st->tag[st->taglen] = '\0';
		st->in_tag = false;
		st->textlen = 0;
		return xmpp_tag(ctx, st);
	}
	if (st->quote != 0 && c == (uint8_t)st->quote)
		st->quote = 0;
	else if (st->quote == 0 && (c == '\'' || c == '"'))
		st->quote = (char)c;
	if (st->taglen == XMPP_TAG_MAX)		/* [XML-TAG-UNBOUNDED] */
		return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
		    "XML tag longer than %d bytes", XMPP_TAG_MAX);
	st->tag[st->taglen++] = (char)c;
	return PROBE_MORE;
}

/* Bytes that are not XML at all: quoted in the reason up to a line. */
static enum probe_rc
xmpp_garbage_byte(struct probe_ctx *ctx, struct xmpp *st, uint8_t c)
{
	if (c != '\n' && c != '\r')
		st->tag[st->taglen++] = (char)c;
	if (c == '\n' || c == '\r' || st->taglen == 64)
		return line_unexpected(ctx, "XMPP", st->tag, st->taglen);
	return PROBE_MORE;
}

/* One byte between tags. */
static enum probe_rc
xmpp_text_byte(struct probe_ctx *ctx, struct xmpp *st, uint8_t c)
{
	const char *what;

	if (c == '<') {
		st->in_tag = true;
		st->quote = 0;
		st->taglen = 0;
		return PROBE_MORE;
	}
	if (st->phase == XMPP_STREAM && c != ' ' && c != '\t' &&
	    c != '\r' && c != '\n') {
		if ((what = line_guess(&c, 1)) != NULL)
			return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
			    "server sent %s, not XMPP (implicit TLS port?)",
			    what);
		st->in_garbage = true;
		st->taglen = 0;
		return xmpp_garbage_byte(ctx, st, c);
	}
	if (++st->textlen > XMPP_TEXT_MAX)	/* [XML-TEXT-UNBOUNDED] */
		return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
		    "XML text longer than %d bytes", XMPP_TEXT_MAX);
	return PROBE_MORE;
}

static enum probe_rc
xmpp_input(struct probe_ctx *ctx, void *state, const uint8_t *buf,
    size_t len, size_t *used)
{
	struct xmpp *st = state;
	enum probe_rc rc;

	for (size_t i = 0; i < len; i++) {
		if (buf[i] == 0) {
			*used = i + 1;
			return probe_fail(ctx, SCAN_PROTOCOL_ERROR,
			    "server sent a NUL byte in the XMPP stream");
		}
		if (st->in_garbage)
			rc = xmpp_garbage_byte(ctx, st, buf[i]);
		else if (st->in_tag)
			rc = xmpp_tag_byte(ctx, st, buf[i]);
		else
			rc = xmpp_text_byte(ctx, st, buf[i]);
		if (rc != PROBE_MORE) {
			*used = i + 1;
			return rc;
		}
	}
	*used = len;
	return PROBE_MORE;
}

const struct probe probe_xmpp = {
	.name = "xmpp",
	.port = 5222,
	.state_size = sizeof(struct xmpp),
	.start = xmpp_start_client,
	.input = xmpp_input,
};

const struct probe probe_xmpp_server = {
	.name = "xmpp-server",
	.port = 5269,
	.state_size = sizeof(struct xmpp),
	.start = xmpp_start_server,
	.input = xmpp_input,
};
