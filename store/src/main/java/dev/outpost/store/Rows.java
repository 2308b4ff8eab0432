package dev.outpost.store;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outpost.core.config.AppConfig;
import dev.outpost.core.model.App;
import dev.outpost.core.model.DeployFailure;
import dev.outpost.core.model.DesiredState;
import dev.outpost.core.model.Health;
import dev.outpost.core.model.Host;
import dev.outpost.core.model.Instance;
import dev.outpost.core.model.InstanceState;
import dev.outpost.core.model.Release;
import dev.outpost.core.model.ReleaseStatus;
import dev.outpost.core.model.Token;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * How rows of the schema in {@code db/migration} become domain records: instants are epoch
 * milliseconds, enums their wire names, structured values JSON text.
 */
final class Rows {
    static final RowMapper<App> APP = (rs, ctx) -> new App(
            rs.getString("name"),
            rs.getString("primary_region"),
            JsonText.read(rs.getString("scale_json"), new TypeReference<Map<String, Integer>>() {}, "apps.scale_json"),
            nullableInt(rs, "current_release"),
            instant(rs, "created_at"));

    static final RowMapper<Release> RELEASE = (rs, ctx) -> new Release(
            rs.getString("app"),
            rs.getInt("version"),
            rs.getString("artifact_digest"),
            JsonText.read(rs.getString("config_json"), AppConfig.class, "releases.config_json"),
            enumOf(rs.getString("status"), ReleaseStatus::of),
            rs.getString("message"),
            JsonText.read(rs.getString("failure_json"), DeployFailure.class, "releases.failure_json"),
            instant(rs, "created_at"),
            instant(rs, "deadline"));

    static final RowMapper<Host> HOST = (rs, ctx) -> new Host(
            rs.getString("id"),
            rs.getString("region"),
            rs.getString("address"),
            rs.getLong("memory_mb"),
            instant(rs, "last_seen"));

    static final RowMapper<Instance> INSTANCE = (rs, ctx) -> new Instance(
            rs.getString("id"),
            rs.getString("app"),
            rs.getInt("release_version"),
            rs.getString("region"),
            rs.getString("host_id"),
            rs.getString("address"),
            nullableInt(rs, "port"),
            enumOf(rs.getString("state"), InstanceState::of),
            enumOf(rs.getString("desired"), DesiredState::of),
            enumOf(rs.getString("health"), Health::of),
            nullableInt(rs, "exit_code"),
            rs.getString("message"),
            rs.getInt("restarts"),
            JsonText.read(rs.getString("log_tail_json"), new TypeReference<List<String>>() {}, "instances.log_tail_json"),
            instant(rs, "created_at"),
            instant(rs, "updated_at"));

    static final RowMapper<Token> TOKEN = (rs, ctx) -> new Token(
            rs.getString("id"),
            rs.getString("name"),
            rs.getString("hash"),
            rs.getBoolean("admin"),
            instant(rs, "created_at"));

    private Rows() {}

    /** The column value for {@code instant}: epoch milliseconds, or null. */
    static Long millis(Instant instant) {
        return instant == null ? null : instant.toEpochMilli();
    }

    private static Integer nullableInt(ResultSet rs, String column) throws SQLException {
        int v = rs.getInt(column);
        return rs.wasNull() ? null : v;
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private static <E> E enumOf(String wire, java.util.function.Function<String, E> of) {
        return wire == null ? null : of.apply(wire);
    }
}
