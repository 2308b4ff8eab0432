package dev.outpost;

import dev.outpost.server.meter.Prices;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --prices FILE} of {@code outpost server} and {@code outpost dev}: the meter's price list, read and checked. */
public final class PricesConverter implements ITypeConverter<Prices> {
    /** The option's help, the same for both commands. */
    static final String HELP = "Price list for the meter, TOML or JSON: vm size = USD per second, or [per_month] size = USD"
            + " (default: Fly-like prices). The server refuses to start if a size in use has no price.";

    @Override
    public Prices convert(String value) {
        try {
            return Prices.read(Path.of(value));
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
