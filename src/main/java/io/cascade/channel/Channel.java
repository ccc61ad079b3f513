package io.cascade.channel;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** A delivery channel of a route step, with the recipient format it accepts. */
public enum Channel {
  SMS(Recipients::isE164, "must be an E.164 phone number such as +4915112345678"),
  WHATSAPP(Recipients::isE164, "must be an E.164 phone number such as +4915112345678"),
  PUSH(Recipients::isToken, "must be a non-empty device token without whitespace"),
  EMAIL(Recipients::isEmail, "must be an email address such as user@example.com"),
  VOICE(Recipients::isE164, "must be an E.164 phone number such as +4915112345678");

  /** The lower-case names the API accepts, for error messages. */
  public static final String NAMES =
      Arrays.stream(values()).map(Channel::id).collect(Collectors.joining(", "));

  private final Predicate<String> recipientCheck;
  private final String recipientRule;

  Channel(Predicate<String> recipientCheck, String recipientRule) {
    this.recipientCheck = recipientCheck;
    this.recipientRule = recipientRule;
  }

  /** The name used in the API, in attempts and in metric tags. */
  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether {@code to} is a recipient this channel can address. */
  public boolean accepts(String to) {
    return to != null && recipientCheck.test(to);
  }

  /** What a valid recipient looks like, for error messages. */
  public String recipientRule() {
    return recipientRule;
  }

  /** Parses an API name; unknown names are empty. */
  public static Optional<Channel> fromId(String id) {
    return Arrays.stream(values()).filter(c -> c.id().equals(id)).findFirst();
  }

  @JsonCreator
  static Channel fromJson(String id) {
    return fromId(id).orElseThrow(() -> new IllegalArgumentException("must be one of " + NAMES));
  }

  private static final class Recipients {
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
    // Deliberately permissive: the mail provider is the authority on deliverability.
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+");
    private static final Pattern TOKEN = Pattern.compile("\\S{1,4096}");

    static boolean isE164(String to) {
      return E164.matcher(to).matches();
    }

    static boolean isEmail(String to) {
      return to.length() <= 254 && EMAIL.matcher(to).matches();
    }

    static boolean isToken(String to) {
      return TOKEN.matcher(to).matches();
    }
  }
}
