-- The reference copy of `sellers` on every shard of the sharded keyspace
-- `moneta` (its source is moneta_global.sellers, vitess/moneta_global.sql;
-- same columns). The migrate Job applies it with `vtctldclient ApplySchema`
-- so the Materialize workflow that keeps the copies in sync can be created
-- before `moneta migrate` writes the dictionary to the source. The first
-- migration's own CREATE TABLE IF NOT EXISTS of `sellers` is then a no-op.

CREATE TABLE IF NOT EXISTS `sellers` (
  `normalized_name` varchar(128) NOT NULL,
  `display_name` varchar(255) NOT NULL,
  `category` varchar(32) NOT NULL,
  `updated_at` DATETIME(6) NOT NULL,
  PRIMARY KEY (`normalized_name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
