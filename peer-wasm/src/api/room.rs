//! Which room to join: a name and, for a private room, its secret.

/// A room to join. A plain `&str` converts into an open room; add a secret with
/// [`Room::with_secret`]. The first peer to enter a room sets its secret (or leaves it
/// open), and the server admits later peers only with the same secret.
///
/// ```
/// use peer_wasm::Room;
/// let open: Room = "lobby".into();
/// let private = Room::new("team-7").with_secret("correct horse battery staple");
/// assert_eq!(open.secret(), None);
/// assert_eq!(private.name(), "team-7");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Room<'a> {
    name: &'a str,
    secret: Option<&'a str>,
}

impl<'a> Room<'a> {
    /// An open room called `name`.
    pub fn new(name: &'a str) -> Self {
        Self { name, secret: None }
    }

    /// The same room, entered with `secret`.
    pub fn with_secret(self, secret: &'a str) -> Self {
        Self { secret: Some(secret), ..self }
    }

    /// The room's name.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The secret presented on joining, if any.
    pub fn secret(&self) -> Option<&'a str> {
        self.secret
    }
}

impl<'a> From<&'a str> for Room<'a> {
    fn from(name: &'a str) -> Self {
        Self::new(name)
    }
}

impl<'a> From<&'a String> for Room<'a> {
    fn from(name: &'a String) -> Self {
        Self::new(name)
    }
}
