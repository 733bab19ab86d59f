-- coremon history database, schema version 2 (issue 12; version 2 added
-- window_processes, issue 16).
--
-- One text for SQLite (the embedded default) and PostgreSQL (a fleet):
-- only BIGINT, INTEGER, TEXT and DOUBLE PRECISION, natural primary keys,
-- CREATE ... IF NOT EXISTS.  Two dialect hooks: a comment that starts
-- "--sqlite: " is SQL for SQLite only, one that starts "--postgresql: "
-- SQL for PostgreSQL only (each backend blanks its own marker; the other
-- engine skips the comment).  coremond builds this file in and runs it at
-- every start, statement by statement (a statement ends with a line that
-- ends in ';' -- so no comment but a dialect line may end in one), then
-- its migrations; schema_version says how far it got.
--
-- Every row carries agent: the historyAgent of the coremond that wrote
-- it (default its host name), so that many write into one database.
-- Times are unix seconds, UTC.  Directions are the host database's: "in"
-- is what the remote host sent to the local side, "out" what it got.
-- Octets are on-wire frame lengths (pcap len); counters never go back.
-- A window is [start, start + length); its rows are written in one
-- transaction, so a window is in the database whole or not at all.

-- Which schema versions were applied, by which agent, when.  The
-- database's version is max(version); a coremond refuses a newer one.
CREATE TABLE IF NOT EXISTS schema_version (
	version		INTEGER NOT NULL,	-- 1, 2, ...
	agent		TEXT NOT NULL,		-- who applied it
	applied		BIGINT NOT NULL,	-- when, unix seconds
	PRIMARY KEY (version)
);

-- One row a window and capture source (interface, or replayed file).
-- Traffic with one end local only: transit traffic (neither end local)
-- and local-to-local traffic are not in octets_in/out.
CREATE TABLE IF NOT EXISTS windows (
	agent		TEXT NOT NULL,
	start		BIGINT NOT NULL,	-- window start, unix seconds UTC
	source		TEXT NOT NULL,		-- capture source name
	length		INTEGER NOT NULL,	-- seconds observed
	octets_in	BIGINT NOT NULL,	-- octets, remote -> local
	octets_out	BIGINT NOT NULL,	-- octets, local -> remote
	packets_in	BIGINT NOT NULL,	-- packets, remote -> local
	packets_out	BIGINT NOT NULL,	-- packets, local -> remote
	sessions	BIGINT NOT NULL,	-- distinct sessions with one end
						-- local (not those folded past
						-- maxSessions)
	local_octets	BIGINT NOT NULL,	-- octets local <-> local (whole
						-- window: on the first source)
	drops		BIGINT NOT NULL,	-- packets the kernel dropped
	rtt_us		BIGINT,			-- mean probe RTT, microseconds,
						-- NULL when no probe answered
	PRIMARY KEY (agent, start, source)
);
CREATE INDEX IF NOT EXISTS windows_start ON windows (start);

-- One row a window and service with traffic (cmServiceTable's split):
-- a service without traffic in a window has no row.  Keyed by start
-- first, so a time range is one run of the key (no index of its own);
-- in SQLite the table is that key's b-tree, so "a month by service"
-- reads the rows in place (0.5 s instead of 1.3 s for 31 days).
CREATE TABLE IF NOT EXISTS window_services (
	agent		TEXT NOT NULL,
	start		BIGINT NOT NULL,	-- the window's start
	service		TEXT NOT NULL,		-- service name ("other" too)
	octets_in	BIGINT NOT NULL,
	octets_out	BIGINT NOT NULL,
	packets_in	BIGINT NOT NULL,
	packets_out	BIGINT NOT NULL,
	PRIMARY KEY (start, agent, service)
)
--sqlite: WITHOUT ROWID
;
CREATE INDEX IF NOT EXISTS window_services_service
	ON window_services (service, start);

-- The window's top sessions by octets in + out (ties: packets, then
-- the key), historyTopSessions of them: the paper's extended summary,
-- cmSessionTopTable of that window.  Transit sessions rank too (their
-- local_addr is the lower address); the entry of sessions folded past
-- maxSessions has empty addresses.
CREATE TABLE IF NOT EXISTS window_sessions (
	agent		TEXT NOT NULL,
	start		BIGINT NOT NULL,	-- the window's start
	rank		INTEGER NOT NULL,	-- 1 first
	proto		INTEGER NOT NULL,	-- IP protocol number
	local_addr	TEXT NOT NULL,		-- IPv4 or IPv6 text
	remote_addr	TEXT NOT NULL,
	port		INTEGER NOT NULL,	-- service port, 0 none
	service		TEXT NOT NULL,
	octets_in	BIGINT NOT NULL,
	octets_out	BIGINT NOT NULL,
	packets_in	BIGINT NOT NULL,
	packets_out	BIGINT NOT NULL,
	PRIMARY KEY (agent, start, rank)
);
CREATE INDEX IF NOT EXISTS window_sessions_start ON window_sessions (start);
CREATE INDEX IF NOT EXISTS window_sessions_remote
	ON window_sessions (remote_addr, start);

-- Per UTC day (of the window's start), remote host and service: added
-- up window by window (INSERT ... ON CONFLICT DO UPDATE).  The big
-- table: a window of 100,000 remote hosts upserts 100,000 rows.  The
-- key starts with day, so it serves "a day" and "a day of one agent"
-- without an index of its own, and a window's rows (one day, one agent,
-- sorted by address) land next to each other.  In SQLite the table is
-- its key's b-tree (WITHOUT ROWID): one b-tree less to write a row, and
-- no rowid stored twice.
--
-- "A host's month" by address: PostgreSQL has the index day_hosts_addr
-- for it.  SQLite has none -- a second b-tree insert for every new row
-- was 40% of a window's transaction (100,000 hosts) -- and reads the
-- days' rows in key order instead (0.09 s for 31 days of 15,000 rows;
-- it grows with the rows a day); with agent = ? AND day IN (...) it is
-- one key lookup a day.
CREATE TABLE IF NOT EXISTS day_hosts (
	agent		TEXT NOT NULL,
	day		INTEGER NOT NULL,	-- YYYYMMDD, UTC
	addr		TEXT NOT NULL,		-- remote host, IPv4 or IPv6 text
	service		TEXT NOT NULL,
	octets_in	BIGINT NOT NULL,	-- octets the host sent
	octets_out	BIGINT NOT NULL,	-- octets it received
	packets_in	BIGINT NOT NULL,
	packets_out	BIGINT NOT NULL,
	first_seen	BIGINT NOT NULL,	-- its first packet that day,
	last_seen	BIGINT NOT NULL,	-- and its last, unix seconds
	name		TEXT,			-- DNS name, NULL unresolved
	PRIMARY KEY (day, agent, addr, service)
)
--sqlite: WITHOUT ROWID
;
--postgresql: CREATE INDEX IF NOT EXISTS day_hosts_addr ON day_hosts (addr, day);

-- One row a window and probe: the echo probes that completed in the
-- window (by the wall clock), their RTTs.
CREATE TABLE IF NOT EXISTS window_probes (
	agent		TEXT NOT NULL,
	start		BIGINT NOT NULL,	-- the window's start
	probe		TEXT NOT NULL,		-- probe name
	addr		TEXT NOT NULL,		-- its target, IPv4 or IPv6 text
	sent		INTEGER NOT NULL,	-- probes completed in the window
	answered	INTEGER NOT NULL,	-- of which answered (the rest
						-- lost: timeout, unreachable)
	rtt_min_us	BIGINT,			-- microseconds, NULL when
	rtt_mean_us	BIGINT,			-- none answered
	rtt_max_us	BIGINT,
	PRIMARY KEY (agent, start, probe)
);
CREATE INDEX IF NOT EXISTS window_probes_start ON window_probes (start);

-- One row a window and process (version 2): what the TCP connections of
-- each process moved during the window, from coremond's cmProcessTable
-- (the growth of its totals since the previous window, closed
-- connections included); processes that moved nothing are left out.
-- Which process or unit moved the bytes:
--   SELECT unit, name, sum(octets_in + octets_out) FROM window_processes
--   WHERE start >= ... GROUP BY unit, name ORDER BY 3 DESC
CREATE TABLE IF NOT EXISTS window_processes (
	agent		TEXT NOT NULL,
	start		BIGINT NOT NULL,	-- the window's start
	pid		BIGINT NOT NULL,	-- 0: no known process
	name		TEXT NOT NULL,		-- command name
	unit		TEXT NOT NULL,		-- systemd unit, or ''
	conns		INTEGER NOT NULL,	-- connections at the end
	octets_in	BIGINT NOT NULL,
	octets_out	BIGINT NOT NULL,
	PRIMARY KEY (agent, start, pid)
);
CREATE INDEX IF NOT EXISTS window_processes_start ON window_processes (start);
