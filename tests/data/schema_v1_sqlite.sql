CREATE TABLE cw_agent_event (
	id INTEGER NOT NULL, 
	source VARCHAR(200) NOT NULL, 
	at FLOAT NOT NULL, 
	agent VARCHAR(200) NOT NULL, 
	event VARCHAR(32) NOT NULL, 
	queue VARCHAR(200), 
	reason VARCHAR(200), 
	call_id VARCHAR(200), 
	ring_ms INTEGER, 
	dedupe_key VARCHAR(40) NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_agent_event_dedupe UNIQUE (source, dedupe_key)
);
CREATE TABLE cw_call (
	id INTEGER NOT NULL, 
	source VARCHAR(200) NOT NULL, 
	call_id VARCHAR(200) NOT NULL, 
	started_at FLOAT NOT NULL, 
	answered_at FLOAT, 
	ended_at FLOAT, 
	wait_seconds FLOAT, 
	talk_seconds FLOAT, 
	queue VARCHAR(200), 
	agent VARCHAR(200), 
	caller VARCHAR(200), 
	direction VARCHAR(8) NOT NULL, 
	disposition VARCHAR(16), 
	transferred BOOLEAN NOT NULL, 
	category VARCHAR(200), 
	outcome VARCHAR(200), 
	resolved BOOLEAN, 
	csat INTEGER, 
	nps INTEGER, 
	note TEXT, 
	updated_at FLOAT NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_call_source_call_id UNIQUE (source, call_id)
);
CREATE TABLE cw_issue (
	id INTEGER NOT NULL, 
	call_pk INTEGER, 
	title TEXT NOT NULL, 
	category VARCHAR(200), 
	opened_by VARCHAR(200) NOT NULL, 
	opened_at FLOAT NOT NULL, 
	resolved_at FLOAT, 
	resolved_by VARCHAR(200), 
	PRIMARY KEY (id), 
	FOREIGN KEY(call_pk) REFERENCES cw_call (id)
);
CREATE TABLE cw_meta (
	"key" VARCHAR(64) NOT NULL, 
	value VARCHAR(256) NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE cw_source_position (
	id INTEGER NOT NULL, 
	source VARCHAR(200) NOT NULL, 
	path TEXT NOT NULL, 
	format VARCHAR(16) NOT NULL, 
	device BIGINT NOT NULL, 
	inode BIGINT NOT NULL, 
	fingerprint VARCHAR(64) NOT NULL, 
	fingerprint_len INTEGER NOT NULL, 
	"offset" BIGINT NOT NULL, 
	line_no INTEGER NOT NULL, 
	lines_read INTEGER NOT NULL, 
	bad_lines INTEGER NOT NULL, 
	last_bad_line INTEGER, 
	last_bad_reason VARCHAR(200), 
	bad_by_reason TEXT NOT NULL, 
	updated_at FLOAT NOT NULL, 
	last_line_at FLOAT, 
	finished BOOLEAN NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE cw_tag_event (
	id INTEGER NOT NULL, 
	call_pk INTEGER NOT NULL, 
	field VARCHAR(16) NOT NULL, 
	old_value TEXT, 
	new_value TEXT, 
	operator VARCHAR(200) NOT NULL, 
	at FLOAT NOT NULL, 
	undo_of INTEGER, 
	undone BOOLEAN NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(call_pk) REFERENCES cw_call (id)
);
CREATE INDEX ix_agent_event_at ON cw_agent_event (at);
CREATE INDEX ix_call_agent_started_at ON cw_call (agent, started_at);
CREATE INDEX ix_call_started_at ON cw_call (started_at);
CREATE INDEX ix_call_updated_at ON cw_call (updated_at);
CREATE INDEX ix_cw_tag_event_call_pk ON cw_tag_event (call_pk);
CREATE INDEX ix_issue_opened_at ON cw_issue (opened_at);
CREATE INDEX ix_issue_resolved_at ON cw_issue (resolved_at);
CREATE INDEX ix_source_position_source ON cw_source_position (source);
CREATE INDEX ix_tag_event_operator_at ON cw_tag_event (operator, at);
