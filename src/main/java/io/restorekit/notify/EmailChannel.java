package io.restorekit.notify;

import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Properties;

/**
 * Notices by SMTP (jakarta.mail). STARTTLS is used whenever the server offers it, and required when
 * a password is configured (credentials never travel in clear); authentication when a user is set.
 */
public final class EmailChannel implements Channel {
    private final String host;
    private final int port;
    private final String from;
    private final List<String> to;
    private final Session session;

    public EmailChannel(String host, int port, String username, String password, String from, List<String> to) {
        this.host = host;
        this.port = port;
        this.from = from;
        this.to = List.copyOf(to);
        Properties p = new Properties();
        p.setProperty("mail.smtp.host", host);
        p.setProperty("mail.smtp.port", Integer.toString(port));
        p.setProperty("mail.smtp.starttls.enable", "true");
        p.setProperty("mail.smtp.connectiontimeout", "10000");
        p.setProperty("mail.smtp.timeout", "20000");
        p.setProperty("mail.smtp.writetimeout", "20000");
        Authenticator auth = null;
        if (username != null) {
            p.setProperty("mail.smtp.auth", "true");
            if (password != null && !isLoopback(host)) {
                p.setProperty("mail.smtp.starttls.required", "true");
            }
            auth = new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    return new PasswordAuthentication(username, password == null ? "" : password);
                }
            };
        }
        this.session = Session.getInstance(p, auth);
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    @Override
    public void send(Notice notice) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(from));
        for (String recipient : to) {
            message.addRecipient(Message.RecipientType.TO, new InternetAddress(recipient));
        }
        message.setSubject(notice.subject(), StandardCharsets.UTF_8.name());
        message.setText(notice.body(), StandardCharsets.UTF_8.name());
        message.setSentDate(new Date());
        if (notice.key() != null) {
            message.setHeader("X-Restorekit-Alert", notice.key() + "; " + notice.state());
        }
        Transport.send(message);
    }

    @Override
    public String describe() {
        return "e-mail to " + String.join(", ", to) + " via " + host + ":" + port;
    }
}
