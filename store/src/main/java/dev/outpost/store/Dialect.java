package dev.outpost.store;

import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** The two SQL databases the store runs on; the schema and queries are shared, these are the differences. */
enum Dialect {
    SQLITE, POSTGRESQL;

    /** True when {@code e} says a primary key or unique constraint rejected a row. */
    boolean isUniqueViolation(SQLException e) {
        return switch (this) {
            case SQLITE -> e instanceof SQLiteException s
                    && (s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY
                    || s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE);
            // 23505: unique_violation, in every PostgreSQL version
            case POSTGRESQL -> "23505".equals(e.getSQLState());
        };
    }
}
