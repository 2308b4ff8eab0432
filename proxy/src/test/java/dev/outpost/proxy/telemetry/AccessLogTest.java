package dev.outpost.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.core.Json;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The access log's hand-written JSON: what Jackson would write for the record, and every string escaped so a line stays one line of JSON. */
class AccessLogTest {
    private static AccessLog.Entry entry(String path, String userAgent) {
        return new AccessLog.Entry(Instant.parse("2026-12-07T22:07:57.239226192Z"), "hello", "GET", path, "HTTP/1.1", 200, 13, 858,
                0, null, 31L, 816L, 1, "szbsmcyxozq4", "iad", "iad", "p7kuwubj2bcujo1wv2l4", "127.0.0.1", userAgent);
    }

    @Test
    void aLineHasTheFieldsJacksonWouldWriteInTheSameOrder() throws Exception {
        AccessLog.Entry entry = entry("/", "curl/7.88.1");

        String line = AccessLog.json(entry);

        String jackson = Json.mapper().writeValueAsString(entry);
        assertThat(Json.mapper().readTree(line)).isEqualTo(Json.mapper().readTree(jackson));
        assertThat(line).startsWith("{\"time\":\"2026-12-07T22:07:57.239226192Z\",\"app\":\"hello\",\"method\":\"GET\"")
                .contains("\"waitedFor\":null,\"connectMs\":31,\"responseMs\":816,\"attempts\":1");
        AccessLog.Entry edgeAnswered = new AccessLog.Entry(Instant.EPOCH, null, "GET", "/", "HTTP/2", 404, 0, 1, 0, null, null, null, 0,
                null, null, "ams", "r", null, null);
        assertThat(Json.mapper().readTree(AccessLog.json(edgeAnswered)))
                .isEqualTo(Json.mapper().readTree(Json.mapper().writeValueAsString(edgeAnswered)));
    }

    @Test
    void whatTheUserSentIsEscapedSoTheLineStaysOneJsonObject() throws Exception {
        // Netty hands header values and the path on as ISO-8859-1 characters; a user controls both.
        String path = "/a\"b\\c\u0001d\te\u007ff\u00e9";
        String userAgent = "x\r\n{\"forged\":true}\u0000\u001f\u00ff";

        String line = AccessLog.json(entry(path, userAgent));

        assertThat(line).doesNotContain("\n").doesNotContain("\r");
        JsonNode parsed = Json.mapper().readTree(line);
        assertThat(parsed.get("path").asText()).isEqualTo(path);
        assertThat(parsed.get("userAgent").asText()).isEqualTo(userAgent);
        assertThat(parsed.has("forged")).isFalse();
        assertThat(parsed.size()).isEqualTo(19);
    }

    @Test
    void aLongLineDoesNotStayWithTheThread() throws Exception {
        String longAgent = "a".repeat(20_000);
        assertThat(Json.mapper().readTree(AccessLog.json(entry("/", longAgent))).get("userAgent").asText()).hasSize(20_000);
        assertThat(Json.mapper().readTree(AccessLog.json(entry("/next", "short"))).get("path").asText()).isEqualTo("/next");
    }
}
