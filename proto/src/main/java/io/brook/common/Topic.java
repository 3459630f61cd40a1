package io.brook.common;

import java.util.Optional;

/** Kafka's rules for topic names, and the names of internal topics. Stateless. */
public final class Topic {
  public static final int MAX_NAME_LENGTH = 249;
  public static final String CONSUMER_OFFSETS = "__consumer_offsets";

  private Topic() {}

  /**
   * Why {@code name} is not a valid topic name, or empty when it is: only ASCII letters, digits,
   * '.', '_' and '-', 1 to 249 characters, and neither "." nor "..".
   */
  public static Optional<String> invalidReason(String name) {
    if (name == null || name.isEmpty()) {
      return Optional.of("Topic name is illegal, it can't be empty");
    }
    if (name.equals(".") || name.equals("..")) {
      return Optional.of("Topic name cannot be \".\" or \"..\"");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      return Optional.of(
          "Topic name is illegal, it can't be longer than "
              + MAX_NAME_LENGTH
              + " characters, topic name: "
              + name.substring(0, 40)
              + "... ("
              + name.length()
              + " characters)");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      if (!ok) {
        return Optional.of(
            "Topic name \""
                + name
                + "\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_'"
                + " and '-'");
      }
    }
    return Optional.empty();
  }

  public static boolean isValid(String name) {
    return invalidReason(name).isEmpty();
  }

  public static boolean isInternal(String name) {
    return CONSUMER_OFFSETS.equals(name);
  }
}
