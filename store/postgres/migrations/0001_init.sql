-- 0001: the store's first schema. Every table lives in the connection's
-- current schema (search_path), so that one database can hold several stores.

-- meta holds the votes' HMAC key.
CREATE TABLE meta (
	key   text PRIMARY KEY,
	value bytea NOT NULL
);

-- readings: one row per reading, as store.Reading lists it. seq orders
-- readings added in the same millisecond.
CREATE TABLE readings (
	id        text PRIMARY KEY,
	seq       bigint GENERATED ALWAYS AS IDENTITY,
	guild     text NOT NULL,
	channel   text NOT NULL,
	title     text NOT NULL,
	authors   text[] NOT NULL,
	year      integer NOT NULL,
	url       text NOT NULL,
	file_name text NOT NULL,
	sha256    text NOT NULL,
	size      bigint NOT NULL,
	format    text NOT NULL,
	added_by  text NOT NULL,
	added_at  timestamptz NOT NULL,
	passages  integer NOT NULL,
	pages     integer NOT NULL,
	embedder  text NOT NULL,
	dim       integer NOT NULL,
	-- The same bytes once per list: a retried addition cannot land twice.
	UNIQUE (guild, channel, sha256)
);
CREATE INDEX readings_list ON readings (guild, channel, added_at, seq);

-- originals: the file as it was added (TOAST compresses and moves it out of line).
CREATE TABLE originals (
	reading text PRIMARY KEY REFERENCES readings (id) ON DELETE CASCADE,
	bytes   bytea NOT NULL
);

-- documents: the text read from the original, with its page offsets.
CREATE TABLE documents (
	reading text PRIMARY KEY REFERENCES readings (id) ON DELETE CASCADE,
	text    text NOT NULL,
	pages   integer[] NOT NULL
);

-- passages: one row per passage, in order; text is NULL when it is the
-- document's text[start:end] (it always is for the formats of package corpus),
-- vector is float32 little-endian (pgvector is not assumed).
CREATE TABLE passages (
	reading   text NOT NULL REFERENCES readings (id) ON DELETE CASCADE,
	n         integer NOT NULL,
	section   text NOT NULL,
	paragraph integer NOT NULL,
	page      integer NOT NULL,
	start_at  integer NOT NULL,
	end_at    integer NOT NULL,
	kind      text NOT NULL,
	text      text,
	vector    bytea NOT NULL,
	PRIMARY KEY (reading, n)
);

-- list_versions grow with every change to a list (see store.ListVersion).
CREATE TABLE list_versions (
	guild   text NOT NULL,
	channel text NOT NULL,
	version bigint NOT NULL,
	PRIMARY KEY (guild, channel)
);

CREATE TABLE conversations (
	id      text PRIMARY KEY,
	guild   text NOT NULL,
	parent  text NOT NULL,
	updated timestamptz NOT NULL
);
CREATE INDEX conversations_updated ON conversations (updated);

-- turns: key makes a retried AppendTurn land once.
CREATE TABLE turns (
	seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	conversation text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	key          text NOT NULL,
	question     text NOT NULL,
	answer       text NOT NULL,
	at           timestamptz NOT NULL,
	UNIQUE (conversation, key)
);

-- votes: one per (answer, user); a later vote takes a new seq (the order cast).
CREATE SEQUENCE votes_seq;
CREATE TABLE votes (
	answer_id text NOT NULL,
	user_hash text NOT NULL,
	seq       bigint NOT NULL,
	time      timestamptz NOT NULL,
	helpful   boolean NOT NULL,
	question  text NOT NULL,
	answer    text NOT NULL,
	citations jsonb NOT NULL,
	PRIMARY KEY (answer_id, user_hash)
);
CREATE INDEX votes_order ON votes (seq);

-- imports: votes files imported once, by content.
CREATE TABLE imports (
	sha256 text PRIMARY KEY,
	path   text NOT NULL,
	at     timestamptz NOT NULL,
	votes  integer NOT NULL
);
