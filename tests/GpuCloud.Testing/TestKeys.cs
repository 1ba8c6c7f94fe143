namespace GpuCloud.Testing;

/// <summary>
/// Fixed public keys and the fingerprints <c>ssh-keygen -lf</c> printed for them. Generated once with
/// <c>ssh-keygen -t ed25519|rsa -b 2048|ecdsa -b 256/384/521 -N "" -f /tmp/kN -C ...</c>; only the .pub lines are kept
/// (the private halves were deleted and never stored).
/// </summary>
public static class TestKeys
{
    // ssh-keygen -lf k1.pub: 256 SHA256:s/7RMVEXT1AjmvamLpc/PHrJyyq/Evp2CN/3EVHt+ZM test@host (ED25519)
    public const string Ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG+8ccD9yM34TUOqiRmuNJyXGkPzXUf0vEkAaiLQybJY test@host";
    public const string Ed25519Fingerprint = "SHA256:s/7RMVEXT1AjmvamLpc/PHrJyyq/Evp2CN/3EVHt+ZM";

    // ssh-keygen -lf k2.pub: 2048 SHA256:QXjQzroZX+iT9v9b2mTq0hEbPgRxtQV4Fcm81TqZXAM rsa@host (RSA)
    public const string Rsa2048 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDeB9uhSKpA1Ino92sCV5S8jOUOOaaWG3zJ6g56Cx9gEqKNZ9kLPH/SnPp0RoZAVuhwVqQ2dtDVsr45PuPuDfjyMxB5vNQvcpHDGR41SuK08pn+96lVLyQcfw3Rcbyk81g9R4xfHexNNcuZ+pquRgOTXEnGGE5RZSokfOjmfl9BELLC2Zlp1lOIH1GyMXYNMkQ7idxx6OolnGjaAFCWe4wqhQgaoQ1BO8gQFB26abaoxZyUSS5s9yP7F42YdBt9I9ChzGHi1klF9WPHlDDlC1c24o4w74M31T+nnoXEXfXhiViTH/xd2wClygeQzr5qRMe9DpKunC776E2zQwlxiFqL rsa@host";
    public const string Rsa2048Fingerprint = "SHA256:QXjQzroZX+iT9v9b2mTq0hEbPgRxtQV4Fcm81TqZXAM";

    // ssh-keygen -lf k3.pub: 256 SHA256:wBIKqrC1rSoiLzxVMFVzePOWmhhpVVd5rJOFD8zsE2k ec256@host (ECDSA)
    public const string Ecdsa256 = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBFthtkNYKfJHaAJFnh0PoMXC8/fUb0daV38uhq2wUl+c8AXFZsFKMzy/5CVu85+ikWUTwOcDWljxa5AprbjWxZs= ec256@host";
    public const string Ecdsa256Fingerprint = "SHA256:wBIKqrC1rSoiLzxVMFVzePOWmhhpVVd5rJOFD8zsE2k";

    // ssh-keygen -lf k4.pub: 384 SHA256:OwBNnM74VHnG+EpZ2ZEj5SwRvXqhEUw9yiWKtpapJH4 ec384@host (ECDSA)
    public const string Ecdsa384 = "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBGWePyPTQ82yeWeOU1FAPJq98ypWtIJeidu0GlW16/FsWXeQquXoy+8f5J12+GgMDAUPEtG6X+yRVsWq+70FhPbj32bNIs2Nl+bg8HB595DMhHeVIlcquZQT2tPLrarTDA== ec384@host";
    public const string Ecdsa384Fingerprint = "SHA256:OwBNnM74VHnG+EpZ2ZEj5SwRvXqhEUw9yiWKtpapJH4";

    // ssh-keygen -lf k5.pub: 521 SHA256:CxW9mbCyWtyq+SauHq4EGE94SosQeE2CdZccW4dX4ZQ ec521@host (ECDSA)
    public const string Ecdsa521 = "ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAHOcC3ThfoQ8dPwjCpetwk3ghs5PkvmK3v6odU2ctFDUh9bL6I/evjBlt+b1h9LBzqnJigTp1qVu3ONirHPhbqkfQGkF6gLg5SGtHXhqG6zAcYDqd+NPS2qhVq6M6N+47vtR4eRCLgkpa09X//VNNR2cMdj/p8NmLMMN3+0ttLjJa1A7A== ec521@host";
    public const string Ecdsa521Fingerprint = "SHA256:CxW9mbCyWtyq+SauHq4EGE94SosQeE2CdZccW4dX4ZQ";

    // A 1024-bit RSA key (the smallest accepted): ssh-keygen -t rsa -b 1024.
    public const string Rsa1024 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDBydvkh9IUhLZFUXYyRccEUbFGjyHSSFywuLF0Nf2x1i7XvSI1AF/Vbcb02HQbhGYFpEhN5tdgQGf9JaWUg7MXiu2qGWqgKYEaaaNhbdg+pxnKR7f0MUWf7fmd56yuCPosfCldqxbwOj2NNJDisSVAc5K5AW7fDqARI8+5xbeWSw== rsa1024";

    /// <summary>The ed25519 key material without its comment.</summary>
    public const string Ed25519Material = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG+8ccD9yM34TUOqiRmuNJyXGkPzXUf0vEkAaiLQybJY";
}
