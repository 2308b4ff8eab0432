package dev.outpost.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuotedTest {
    @Test
    void escapesWhatJsonAndTomlBasicStringsRequireAndNothingElse() throws Exception {
        String s = "a\"b\\c\nd\te\rf\u0000g\u001fh\u007fi é€";

        String quoted = Quoted.of(s);

        assertThat(quoted).isEqualTo("\"a\\\"b\\\\c\\nd\\te\\rf\\u0000g\\u001Fh\\u007Fi é€\"");
        assertThat(Json.mapper().readValue(quoted, String.class)).isEqualTo(s);
        assertThat(Quoted.append(new StringBuilder("x="), "").toString()).isEqualTo("x=\"\"");
    }
}
