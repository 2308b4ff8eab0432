package dev.outpost.cli.command;

import dev.outpost.core.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads option values such as {@code 90s} or {@code 5m} the way {@code outpost.toml} writes durations. */
public final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            Duration d = Durations.parse(value);
            if (d.isZero()) {
                throw new TypeConversionException("\"" + value + "\" must be longer than 0s");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
