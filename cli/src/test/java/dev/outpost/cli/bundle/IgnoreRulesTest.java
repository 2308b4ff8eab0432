package dev.outpost.cli.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IgnoreRulesTest {
    private static final IgnoreRules RULES = IgnoreRules.parse("""
            # build output
            target
            *.log
            !keep.log
            **/*.tmp
            docs/**
            !docs/README.md
            secret?.txt
            /node_modules/
            """);

    @ParameterizedTest(name = "{0} excluded={1}")
    @CsvSource({
            "target, true",
            "target/classes/A.class, true",
            "app.log, true",
            "keep.log, false",
            "sub/app.log, false",
            "a.tmp, true",
            "deep/er/b.tmp, true",
            "docs/guide.md, true",
            "docs/README.md, false",
            "secret1.txt, true",
            "secret12.txt, false",
            "node_modules/x/index.js, true",
            "src/Main.java, false",
            ".git/HEAD, true",
            ".outpost/data.db, true",
            ".gitignore, false",
    })
    void followsDockerignoreSemantics(String path, boolean excluded) {
        assertThat(RULES.excludes(path)).isEqualTo(excluded);
    }

    @ParameterizedTest(name = "{0} excluded={1}")
    @CsvSource({
            "src/gen/A.java, true",
            "src/Main.java, false",
            "gen/B.java, true",
    })
    void doubleStarMatchesAnyNumberOfDirectoriesIncludingNone(String path, boolean excluded) {
        assertThat(IgnoreRules.parse("**/gen").excludes(path)).isEqualTo(excluded);
    }

    @ParameterizedTest(name = "{0} excluded={1}")
    @CsvSource({
            "b.txt, true",
            "a.txt, false",
    })
    void lastMatchingLineWins(String path, boolean excluded) {
        IgnoreRules rules = IgnoreRules.parse("*.txt\n!a.txt\n!b.txt\nb.txt\n");
        assertThat(rules.excludes(path)).isEqualTo(excluded);
    }

    @ParameterizedTest
    @CsvSource({".git/config", ".outpost/state", ".git"})
    void gitAndOutpostDirectoriesStayOutEvenWhenReincluded(String path) {
        assertThat(IgnoreRules.parse("!.git\n!.git/**\n!.outpost/**").excludes(path)).isTrue();
    }
}
