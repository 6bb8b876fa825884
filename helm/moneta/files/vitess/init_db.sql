-- Run once by each tablet on a fresh mysqld data directory (MySQL 8.0),
-- through the VitessCluster's databaseInitScriptSecret. It creates the
-- accounts vttablet expects; all but replication are local-socket only.

-- Nothing here may reach the binlog: replicas would see errant GTIDs.
SET @moneta_saved_super_read_only = IF(@@global.super_read_only = 1, 'ON', 'OFF');
SET GLOBAL super_read_only = 'OFF';
SET sql_log_bin = 0;

-- A secure baseline: no anonymous users, root only through the socket.
DELETE FROM mysql.user WHERE User = '';
DELETE FROM mysql.user WHERE User = 'root' AND Host != 'localhost';
DROP DATABASE IF EXISTS test;

-- Vitess' own metadata database.
CREATE DATABASE IF NOT EXISTS _vt;

-- Administration (vttablet's DBA pool, schema changes, backups).
CREATE USER 'vt_dba'@'localhost';
GRANT ALL ON *.* TO 'vt_dba'@'localhost';
GRANT GRANT OPTION ON *.* TO 'vt_dba'@'localhost';

-- Application traffic coming through vttablet.
CREATE USER 'vt_app'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, RELOAD, PROCESS, FILE,
  REFERENCES, INDEX, ALTER, SHOW DATABASES, CREATE TEMPORARY TABLES,
  LOCK TABLES, EXECUTE, REPLICATION CLIENT, CREATE VIEW, SHOW VIEW,
  CREATE ROUTINE, ALTER ROUTINE, CREATE USER, EVENT, TRIGGER
  ON *.* TO 'vt_app'@'localhost';

-- Read-only debugging.
CREATE USER 'vt_appdebug'@'localhost';
GRANT SELECT, SHOW DATABASES, PROCESS ON *.* TO 'vt_appdebug'@'localhost';

-- Administrative work that must not need SUPER.
CREATE USER 'vt_allprivs'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, RELOAD, PROCESS, FILE,
  REFERENCES, INDEX, ALTER, SHOW DATABASES, CREATE TEMPORARY TABLES,
  LOCK TABLES, EXECUTE, REPLICATION SLAVE, REPLICATION CLIENT, CREATE VIEW,
  SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, CREATE USER, EVENT, TRIGGER
  ON *.* TO 'vt_allprivs'@'localhost';

-- Replication between the tablets of a shard.
CREATE USER 'vt_repl'@'%';
GRANT REPLICATION SLAVE ON *.* TO 'vt_repl'@'%';

-- VReplication (resharding, MoveTables, the sellers reference copy).
CREATE USER 'vt_filtered'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, RELOAD, PROCESS, FILE,
  REFERENCES, INDEX, ALTER, SHOW DATABASES, CREATE TEMPORARY TABLES,
  LOCK TABLES, EXECUTE, REPLICATION SLAVE, REPLICATION CLIENT, CREATE VIEW,
  SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, CREATE USER, EVENT, TRIGGER
  ON *.* TO 'vt_filtered'@'localhost';

FLUSH PRIVILEGES;

-- Start from a clean replication state.
RESET REPLICA ALL;
RESET MASTER;

SET GLOBAL super_read_only = IFNULL(@moneta_saved_super_read_only, 'ON');
