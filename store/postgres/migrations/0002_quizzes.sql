-- 0002: each Discord thread's quiz, one opaque record (the bot's JSON)
-- replaced whole after every press, so that a quiz goes on after a restart
-- or on another shard.
CREATE TABLE quizzes (
	thread  text PRIMARY KEY,
	record  bytea NOT NULL,
	updated timestamptz NOT NULL
);
