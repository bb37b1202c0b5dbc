"""The console mail backend, written for a person to read: the text decoded, links whole."""

from django.core.mail.backends import console


class ConsoleEmailBackend(console.EmailBackend):
    """Django's console backend prints the message as sent, quoted-printable once a line
    passes 76 characters: a reset link then breaks with "=" at the end of a line, and the
    copied link says it has expired. This prints the headers and the decoded text."""

    def write_message(self, message) -> None:
        email = message.message()
        headers = "".join(
            f"{name}: {value}\n"
            for name, value in email.items()
            if name.lower() != "content-transfer-encoding"
        )
        body = email.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        self.stream.write(f"{headers}\n{text}\n")
        self.stream.write("-" * 79 + "\n")
