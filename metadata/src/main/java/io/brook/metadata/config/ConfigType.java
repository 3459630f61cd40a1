package io.brook.metadata.config;

/** The value types of topic-level configs; the names appear in error messages, as Kafka's do. */
public enum ConfigType {
  BOOLEAN,
  STRING,
  INT,
  LONG,
  DOUBLE,
  LIST;

  /**
   * Parses {@code value} (trimmed) to this type, returning its canonical string form.
   *
   * @throws IllegalArgumentException with Kafka's wording when it is not of this type
   */
  String normalize(String value) {
    String v = value.trim();
    switch (this) {
      case BOOLEAN:
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
          return v.toLowerCase(java.util.Locale.ROOT);
        }
        throw new IllegalArgumentException("Expected value to be either true or false");
      case INT:
        try {
          return Integer.toString(Integer.parseInt(v));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("Not a number of type INT");
        }
      case LONG:
        try {
          return Long.toString(Long.parseLong(v));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("Not a number of type LONG");
        }
      case DOUBLE:
        try {
          return Double.toString(Double.parseDouble(v));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("Not a number of type DOUBLE");
        }
      case LIST:
        return String.join(",", java.util.Arrays.stream(v.split(",")).map(String::trim).toList());
      case STRING:
      default:
        return v;
    }
  }
}
