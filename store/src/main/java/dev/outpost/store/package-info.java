/**
 * The server's persistent state: {@link dev.outpost.store.Store} over JDBI, with Flyway migrations in
 * {@code db/migration}, on SQLite (default, WAL) or PostgreSQL. Start reading at {@code Store}; every
 * write bumps one global index that blocking queries wait on. {@code DatabaseUrl} parses what users
 * write, {@code ConnectionPool} and {@code Migrations} open a database, {@code Rows} maps rows to the
 * records of {@code dev.outpost.core.model}.
 */
package dev.outpost.store;
