package dev.outpost.proxy.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The EWMA and the failure marking of one peer's round trip. */
class PeerRttTest {
    @Test
    void theFirstSampleIsTakenAsIsAndLaterOnesAreSmoothedWithAlphaPointThree() {
        PeerRtt rtt = PeerRtt.UNKNOWN.observe(100);
        assertThat(rtt.millis()).isEqualTo(100);

        rtt = rtt.observe(10);
        assertThat(rtt.millis()).isCloseTo(0.3 * 10 + 0.7 * 100, within(1e-9));
        rtt = rtt.observe(10);
        assertThat(rtt.millis()).isCloseTo(0.3 * 10 + 0.7 * 73, within(1e-9));
        assertThat(rtt.usable()).isTrue();
    }

    @Test
    void threeFailuresInARowMakeAPeerUnreachableAndASuccessStartsAfresh() {
        PeerRtt rtt = PeerRtt.UNKNOWN.observe(20).fail().fail();
        assertThat(rtt.reachable()).isTrue();
        assertThat(rtt.usable()).isTrue();

        rtt = rtt.fail();
        assertThat(rtt.reachable()).isFalse();
        assertThat(rtt.usable()).isFalse();

        PeerRtt back = rtt.observe(200);
        assertThat(back.reachable()).isTrue();
        assertThat(back.millis()).as("the broken path's average is not carried over").isEqualTo(200);
    }

    @Test
    void aSuccessBetweenFailuresResetsTheCount() {
        PeerRtt rtt = PeerRtt.UNKNOWN.observe(20).fail().fail().observe(20).fail().fail();
        assertThat(rtt.reachable()).isTrue();
    }

    @Test
    void aPeerThatNeverAnsweredIsNotUsable() {
        assertThat(PeerRtt.UNKNOWN.usable()).isFalse();
        assertThat(PeerRtt.UNKNOWN.fail().fail().fail().reachable()).isFalse();
    }

    @Test
    void negativeSamplesAreRefused() {
        assertThatThrownBy(() -> PeerRtt.UNKNOWN.observe(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 0 ms");
    }
}
