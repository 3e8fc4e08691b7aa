//! Japanese and English. Every message exists in both languages by construction (`messages!`).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    En,
    Ja,
}

/// Name of the cookie that remembers the chosen language.
pub const LOCALE_COOKIE: &str = "lang";

impl Locale {
    /// A day's short name: `Mon`, `月`.
    pub fn weekday(self, d: chrono::Weekday) -> &'static str {
        const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        const JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
        let i = d.num_days_from_monday() as usize;
        if self == Locale::Ja { JA[i] } else { EN[i] }
    }

    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ja => "ja",
        }
    }

    pub fn parse(code: &str) -> Option<Locale> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Locale::En),
            "ja" => Some(Locale::Ja),
            _ => None,
        }
    }

    /// Picks the best supported language from an `Accept-Language` header, honouring q-values.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(f32, Locale)> = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let primary = tag.split('-').next().unwrap_or("");
            let q = parts.find_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.parse::<f32>().ok())).unwrap_or(1.0);
            if let Some(locale) = Locale::parse(primary)
                && q > 0.0
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, locale));
            }
        }
        best.map(|(_, l)| l)
    }

    /// The language for a request: the remembered choice, else the browser's preference, else English.
    pub fn negotiate(cookie_header: Option<&str>, accept_language: Option<&str>) -> Locale {
        let from_cookie = cookie_header.and_then(|h| {
            h.split(';').find_map(|kv| {
                let (k, v) = kv.trim().split_once('=')?;
                (k == LOCALE_COOKIE).then(|| Locale::parse(v)).flatten()
            })
        });
        from_cookie.or_else(|| accept_language.and_then(Locale::from_accept_language)).unwrap_or_default()
    }
}

/// The language of the page being rendered: negotiated from the request on the server, and read
/// back from `<html lang>` in the browser so that hydration renders the same text.
pub fn current_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<http::request::Parts>()
            .map(|p| {
                let header = |name| p.headers.get(name).and_then(|v| v.to_str().ok());
                Locale::negotiate(header(http::header::COOKIE), header(http::header::ACCEPT_LANGUAGE))
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        leptos::prelude::document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Locale::parse(&l))
            .unwrap_or_default()
    }
}

macro_rules! messages {
    ($($key:ident => $en:literal, $ja:literal;)*) => {
        /// A message in both languages. Stored and sent by its variant name; the texts are two
        /// tables indexed by the variant, which keeps the WASM small.
        #[derive(Clone, Copy, PartialEq, Eq)]
        pub enum Msg { $($key),* }

        impl Msg {
            const ALL: &'static [Msg] = &[$(Msg::$key),*];
            const NAMES: &'static [&'static str] = &[$(stringify!($key)),*];
            const EN: &'static [&'static str] = &[$($en),*];
            const JA: &'static [&'static str] = &[$($ja),*];

            pub fn text(self, locale: Locale) -> &'static str {
                match locale {
                    Locale::En => Self::EN[self as usize],
                    Locale::Ja => Self::JA[self as usize],
                }
            }

            /// The variant's name (`ErrPasswordLength`), as it is serialised.
            pub fn name(self) -> &'static str {
                Self::NAMES[self as usize]
            }

            /// The message whose English text this is: how a field error that crossed the
            /// SSM-compatible API as English text becomes the same message again.
            #[cfg(feature = "ssr")]
            pub fn from_english(text: &str) -> Option<Msg> {
                Self::EN.iter().position(|t| *t == text).map(|i| Self::ALL[i])
            }
        }
    };
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Msg {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Msg {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Msg::NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| Msg::ALL[i])
            .ok_or_else(|| serde::de::Error::custom(format!("unknown message '{name}'")))
    }
}

/// Where a piece of shared rendering code gets its texts: the whole tables (on the server), or
/// the few [`Labels`] an island was given. Rendering code takes `&impl Texts`, so an island's
/// copy of it never links the tables.
pub trait Texts {
    fn locale(&self) -> Locale;
    fn get(&self, m: Msg) -> &str;
}

impl Texts for Locale {
    fn locale(&self) -> Locale {
        *self
    }

    fn get(&self, m: Msg) -> &str {
        m.text(*self)
    }
}

/// The texts an island shows, picked on the server and passed as a prop: every message table is
/// about 10 KB of compressed WASM that an island would otherwise carry (both editors once sat
/// within 1 KB of their budget). Each island lists what it shows next to its code; a test checks
/// the list holds every message its form checks can give.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Labels {
    locale: Locale,
    texts: Vec<(u16, String)>,
}

impl Labels {
    /// `msgs` in `locale`, with [`Msg::ErrInvalid`] as the fallback for anything not listed.
    pub fn new(msgs: &[Msg], locale: Locale) -> Labels {
        let texts = msgs.iter().chain([&Msg::ErrInvalid]).map(|m| (*m as u16, m.text(locale).to_owned())).collect();
        Labels { locale, texts }
    }

    /// The messages of `msgs` missing here: `msgs` are those a piece of source names (see
    /// [`messages_named_in`]), so an island's test fails when its checks gain a message.
    pub fn missing(&self, msgs: &[Msg]) -> Vec<Msg> {
        msgs.iter().copied().filter(|m| !self.texts.iter().any(|(k, _)| *k == *m as u16)).collect()
    }
}

/// Every `Msg::Name` written in `source` (a module's text, by `include_str!`).
#[cfg(test)]
pub fn messages_named_in(source: &str) -> Vec<Msg> {
    let mut found = Vec::new();
    for piece in source.split("Msg::").skip(1) {
        let name: String = piece.chars().take_while(char::is_ascii_alphanumeric).collect();
        if let Some(i) = Msg::NAMES.iter().position(|n| *n == name)
            && !found.contains(&Msg::ALL[i])
        {
            found.push(Msg::ALL[i]);
        }
    }
    found
}

impl Texts for Labels {
    fn locale(&self) -> Locale {
        self.locale
    }

    fn get(&self, m: Msg) -> &str {
        let find = |m: Msg| self.texts.iter().find(|(k, _)| *k == m as u16).map(|(_, v)| v.as_str());
        find(m).or_else(|| find(Msg::ErrInvalid)).unwrap_or_default()
    }
}

messages! {
    AppName => "On-call console", "オンコール コンソール";
    NavHome => "Home", "ホーム";
    NavRotations => "Rotations", "ローテーション";
    NavEscalation => "Escalation", "エスカレーション";
    NavRouting => "Routing", "ルーティング";
    NavIncidents => "Incidents", "インシデント";
    NavAdmin => "Admin", "管理";
    NavUsers => "Users", "ユーザー";
    NavAudit => "Audit log", "監査ログ";
    NavApiKeys => "API keys", "API キー";
    CreatedBy => "Created by", "作成者";
    Refresh => "Refresh", "再読み込み";
    ApiKeysHelp => "Keys for AWS tooling (AWS CLI, SDKs, another console in AWS mode) to call this console's SSM Contacts and SSM Incidents API. Sign requests with SigV4 and point the endpoint at this console.", "AWS のツール(AWS CLI、SDK、AWS モードの別コンソール)がこのコンソールの SSM Contacts / SSM Incidents API を呼ぶためのキーです。SigV4 で署名し、エンドポイントをこのコンソールに向けてください。";
    ApiKeyShownOnce => "Copy the secret now: it is not shown again.", "シークレットは今だけ表示されます。今すぐコピーしてください。";
    ApiKeyName => "Name", "名前";
    IssueApiKey => "Issue key", "キーを発行";
    NoApiKeys => "No keys issued yet.", "発行済みのキーはありません。";
    Revoke => "Revoke", "失効させる";
    Revoked => "Revoked", "失効済み";
    LastUsed => "Last used", "最終使用";
    Menu => "Menu", "メニュー";
    BackendLocal => "Local engine", "ローカルエンジン";
    BackendAws => "AWS Incident Manager", "AWS Incident Manager";
    SignIn => "Sign in", "サインイン";
    SignOut => "Sign out", "サインアウト";
    Username => "Username", "ユーザー名";
    DisplayName => "Display name", "表示名";
    Password => "Password", "パスワード";
    PasswordConfirm => "Confirm password", "パスワード(確認)";
    Role => "Role", "ロール";
    Status => "Status", "状態";
    Active => "Active", "有効";
    Disabled => "Disabled", "無効";
    Disable => "Disable", "無効にする";
    Enable => "Enable", "有効にする";
    Save => "Save", "保存";
    ResetPassword => "Reset password", "パスワード再設定";
    NewPassword => "New password", "新しいパスワード";
    CreateUser => "Create user", "ユーザー作成";
    Created => "Created", "作成しました";
    Saved => "Saved", "保存しました";
    Loading => "Loading…", "読み込み中…";
    SetupTitle => "Create the first administrator", "最初の管理者を作成";
    SetupIntro => "This one-time link creates the console's first administrator account.", "この一度限りのリンクで、コンソール最初の管理者アカウントを作成します。";
    SetupSubmit => "Create administrator", "管理者を作成";
    SetupInvalid => "This setup link is invalid or has already been used.", "このセットアップリンクは無効か、すでに使用されています。";
    SignedInAs => "Signed in as", "サインイン中:";
    EmptyRotations => "No rotations have been set up yet.", "ローテーションはまだありません。";
    EmptyEscalation => "No escalation plans have been set up yet.", "エスカレーションプランはまだありません。";
    EmptyRouting => "No severity routing rules have been set up yet.", "重大度ルーティングのルールはまだありません。";
    EmptyIncidents => "No incidents have been recorded yet. They appear here when one is declared or an alert opens one.", "記録されたインシデントはまだありません。インシデントを宣言するか、アラートで開かれると表示されます。";
    NoIncidentsMatch => "No incident matches these filters.", "この条件に合うインシデントはありません。";
    AuditWhen => "When", "日時";
    AuditWho => "Who", "実行者";
    AuditAction => "Action", "操作";
    AuditEntity => "Entity", "対象";
    AuditBefore => "Before", "変更前";
    AuditAfter => "After", "変更後";
    AuditFilter => "Filter", "絞り込み";
    AuditSince => "From", "開始";
    AuditUntil => "To", "終了";
    AuditEmpty => "No audit entries match.", "該当する監査ログはありません。";
    Any => "Any", "すべて";
    NotFoundTitle => "Page not found", "ページが見つかりません";
    ForbiddenTitle => "Access denied", "アクセスが拒否されました";
    ForbiddenBody => "Your role does not allow you to open this page.", "あなたのロールではこのページを開けません。";
    ErrorTitle => "Something went wrong", "エラーが発生しました";
    ErrUnauthenticated => "Please sign in.", "サインインしてください。";
    ErrForbidden => "Your role does not allow this action.", "あなたのロールではこの操作はできません。";
    ErrBadCredentials => "Incorrect username or password.", "ユーザー名またはパスワードが正しくありません。";
    ErrRateLimited => "Too many sign-in attempts. Try again in {n} minutes.", "サインインの試行が多すぎます。{n} 分後にもう一度お試しください。";
    ErrInvalid => "Please correct the highlighted fields.", "入力内容を確認してください。";
    ErrNotFound => "Not found.", "見つかりません。";
    ErrInternal => "Internal error. Please try again.", "内部エラーです。もう一度お試しください。";
    ErrUsernameFormat => "3–32 characters: lowercase letters, digits, '.', '_' or '-'.", "3〜32文字の英小文字・数字・「.」「_」「-」で入力してください。";
    ErrUsernameTaken => "This username is already taken.", "このユーザー名はすでに使われています。";
    ErrApiKeyName => "Give the key a name of 1 to 100 characters.", "キーの名前を1〜100文字で入力してください。";
    ErrBackendRejected => "The backend rejected this value.", "バックエンドがこの値を受け付けませんでした。";
    ErrAwsAccessDenied => "AWS denied access: the console's IAM identity needs permission for {action}.", "AWS がアクセスを拒否しました。コンソールの IAM ID に {action} の権限が必要です。";
    ErrAwsThrottled => "AWS is throttling requests. Wait a moment and try again.", "AWS がリクエストを制限しています。少し待ってから再試行してください。";
    ErrAwsUnreachable => "Cannot reach AWS ({detail}). Check the network, region and endpoint settings.", "AWS に接続できません({detail})。ネットワーク、リージョン、エンドポイントの設定を確認してください。";
    ErrAwsRejected => "AWS rejected the request: {code}: {message}", "AWS がリクエストを拒否しました: {code}: {message}";
    PasswordRule => "12 to 256 characters; a few words make a good one.", "12〜256文字。いくつかの単語をつなげると覚えやすく安全です。";
    ErrPasswordLength => "Use 12 to 256 characters.", "12〜256文字で入力してください。";
    ErrPasswordMismatch => "The passwords do not match.", "パスワードが一致しません。";
    ErrDisplayName => "At most 64 characters, no line breaks or tabs.", "64文字以内で、改行やタブは使えません。";
    ErrName200 => "Enter a name of at most 200 characters, without line breaks or tabs.", "200文字以内で名前を入力してください(改行やタブは使えません)。";
    ErrName255 => "Enter a name of at most 255 characters, without line breaks or tabs.", "255文字以内で名前を入力してください(改行やタブは使えません)。";
    ErrRole => "Unknown role.", "不明なロールです。";
    ErrSelfChange => "You cannot disable or demote your own account.", "自分のアカウントを無効化・降格することはできません。";
    ErrTimeFormat => "Use the form 2026-11-24T09:30.", "2026-11-24T09:30 の形式で入力してください。";
    ErrRotationMembers => "A rotation has 1 to 30 members.", "ローテーションのメンバーは1〜30人です。";
    ErrRotationDuplicateMember => "Each member can appear only once.", "同じメンバーは一度しか指定できません。";
    ErrTimeZone => "Use an IANA time zone such as Asia/Tokyo or UTC.", "Asia/Tokyo や UTC などの IANA タイムゾーンを指定してください。";
    ErrMultiplier => "Shift length must be 1 to 100.", "シフトの長さは1〜100です。";
    ErrNumberOnCall => "Between 1 and the number of members can be on call at once.", "同時オンコール人数は1人からメンバー数までです。";
    ErrHandOff => "Give at least one hand-off: a day of the month 1–31 and a time, like 1 09:00, 15 09:00.", "交代を1つ以上指定してください: 日(1〜31)と時刻(例: 1 09:00, 15 09:00)。";
    ErrChannelStartGap => "Start this channel at most 30 minutes after the one before it (Incident Manager's limit); for a later reminder, start another channel in between.", "前のチャネルから30分以内に開始してください(Incident Manager の上限)。もっと後に知らせるには、間に別のチャネルを入れてください。";
    ErrHandOffDaily => "Give at least one hand-off time, like 09:00 or 09:00, 21:00.", "交代時刻を1つ以上指定してください(例: 09:00 または 09:00, 21:00)。";
    ErrHandOffWeekly => "Give at least one hand-off: a weekday and a time, like Mon 09:00 or Mon 09:00, Thu 18:00.", "交代を1つ以上指定してください: 曜日と時刻(例: Mon 09:00 または Mon 09:00, Thu 18:00)。";
    ErrCoverage => "Coverage windows must be at least 30 minutes long and must not overlap.", "対応時間帯は30分以上で、重ならないようにしてください。";
    ErrOverrideLength => "An override lasts at least 30 minutes.", "オーバーライドは30分以上必要です。";
    ErrOverridePast => "An override cannot start in the past.", "過去に開始するオーバーライドは作成できません。";
    ErrOverrideBackwards => "The end is before the start: an override ends after it begins.", "終了が開始より前です。終了は開始より後にしてください。";
    ErrOverrideOverlaps => "This range overlaps another override (listed above): delete that one first, or choose a range that does not overlap it.", "この時間帯は別のオーバーライド(上の一覧)と重なっています。先にそれを削除するか、重ならない時間帯を選んでください。";
    OverrideAdded => "Override added.", "オーバーライドを追加しました。";
    OverrideDeleted => "Override deleted.", "オーバーライドを削除しました。";
    RotationCreated => "Rotation created. Add overrides below, or page it from an escalation plan through an on-call schedule.", "ローテーションを作成しました。下でオーバーライドを追加できます。エスカレーションプランからはオンコールスケジュール経由で呼び出します。";
    UserCreated => "User created. Link them to a person below so the pages sent to that person show on their My pages.", "ユーザーを作成しました。下で担当者と紐付けると、その人への呼び出しが「自分の呼び出し」に表示されます。";
    ErrOverrideTooFar => "An override can start at most six months ahead.", "オーバーライドの開始は6か月先までです。";
    ErrAlias => "Use 1–255 lowercase letters, digits, '-' or '_'.", "英小文字・数字・「-」「_」で1〜255文字にしてください。";
    ErrScheduleStages => "An on-call schedule has rotations, not stages.", "オンコールスケジュールにはステージではなくローテーションを指定します。";
    ErrScheduleRotations => "An on-call schedule has 1 to 8 rotations.", "オンコールスケジュールのローテーションは1〜8個です。";
    ErrUnknownRotation => "No such rotation.", "そのローテーションは存在しません。";
    ErrRotationsOnlyForSchedules => "Only on-call schedules have rotations.", "ローテーションを持てるのはオンコールスケジュールだけです。";
    ErrNoStages => "An escalation plan needs at least one stage.", "エスカレーションプランには1つ以上のステージが必要です。";
    ErrStageDuration => "A stage waits 0 to 30 minutes before the next one: Incident Manager's limit (0 only when it pages someone). For a longer wait, add a stage after it that pages nobody.", "次のステージまでの待ち時間は0〜30分です(Incident Manager の上限。0分は呼び出し相手がある場合のみ)。もっと待つには、誰も呼び出さないステージを後ろに追加してください。";
    ErrStageLine => "Write each stage as minutes, a colon and who to page, e.g. 10: suzuki-ichiro, primary-oncall", "各ステージは「分: 呼び出す相手」の形で書いてください(例 10: suzuki-ichiro, primary-oncall)。";
    ErrRepeat => "Run the stages 1 to 10 times.", "ステージの実行回数は1〜10回です。";
    ErrRetryInterval => "Retry after 0 to 60 minutes.", "再送間隔は0〜60分です。";
    ErrUnknownChannel => "Choose one of this person's own channels.", "この人自身の連絡先チャネルを選んでください。";
    ErrEscalationTarget => "Escalation stages target people or on-call schedules.", "エスカレーションのステージには人かオンコールスケジュールを指定します。";
    ErrUnknownContact => "No such contact.", "その連絡先は存在しません。";
    ErrPersonalTarget => "A person's plan targets their own channels.", "個人のプランには本人のチャネルを指定します。";
    ErrChannelName => "Give the channel a name (at most 255 characters).", "チャネル名を255文字以内で入力してください。";
    ErrEmail => "Enter an e-mail address such as name@example.com.", "name@example.com のようなメールアドレスを入力してください。";
    ErrPhone => "Enter the number in international form, e.g. +819012345678.", "+819012345678 のような国際形式で入力してください。";
    ErrContactKindChange => "A contact's type cannot change; create a new contact instead.", "連絡先の種類は変更できません。新しい連絡先を作成してください。";
    ErrRotationName => "Give the rotation a name (at most 255 characters, no line breaks or tabs).", "ローテーション名を255文字以内で入力してください(改行やタブは使えません)。";
    ErrAliasTaken => "A contact with this alias already exists.", "このエイリアスの連絡先はすでに存在します。";
    ErrRotationNameTaken => "A rotation with this name already exists.", "この名前のローテーションはすでにあります。";
    ErrRequired => "This field is required.", "この項目は必須です。";
    ErrAcceptCode => "The acknowledgement code does not match.", "確認コードが一致しません。";
    ErrEngagementStopped => "This engagement has already stopped.", "このエンゲージメントはすでに停止しています。";
    ErrOverrideMember => "Only members of this rotation can take an override.", "オーバーライドにはこのローテーションのメンバーのみ指定できます。";
    NavEngagements => "Engagements", "エンゲージメント";
    NavDeliveries => "Deliveries", "配信";
    HandOffDaily => "Daily hand-off at", "毎日の引き継ぎ:";
    HandOffWeekly => "Weekly hand-off on", "毎週の引き継ぎ:";
    HandOffMonthly => "Monthly hand-off on day", "毎月の引き継ぎ日:";
    Nobody => "Nobody", "なし";
    Until => "until", "まで:";
    From => "from", "開始:";
    NumberOnCall => "On call at once:", "同時オンコール人数:";
    OnCallNow => "On call now", "現在のオンコール";
    OnCallNext => "Next", "次のオンコール";
    Members => "Members (in order)", "メンバー(順番)";
    Overrides => "Upcoming overrides", "今後のオーバーライド";
    ChannelEmail => "E-mail", "メール";
    ChannelSms => "SMS", "SMS";
    ChannelVoice => "Voice call", "音声通話";
    EscalationPlans => "Escalation plans", "エスカレーションプラン";
    Schedules => "On-call schedules", "オンコールスケジュール";
    People => "People and channels", "メンバーと連絡チャネル";
    Channels => "Channels", "チャネル";
    Activated => "active", "有効";
    NotActivated => "not activated", "未アクティベート";
    Essential => "acknowledging stops the escalation", "対応でエスカレーション停止";
    KeepsPaging => "acknowledging does not stop it", "対応しても次へ進む";
    AckStopsSwitch => "Acknowledging stops the escalation", "対応したらエスカレーションを止める";
    IfAcknowledged => "If acknowledged", "対応された場合";
    AckStopsAll => "{who}: the escalation stops; nobody else is paged.", "{who}: エスカレーションが止まり、ほかの人は呼び出されません。";
    AckGoesOn => "{who}: the escalation is not stopped; stage {n} pages at +{m} min.", "{who}: エスカレーションは止まらず、ステージ {n} が +{m} 分に呼び出します。";
    AckGoesOnLast => "{who}: the escalation is not stopped: anyone else already paged is still paged until they acknowledge.", "{who}: エスカレーションは止まりません。すでに呼び出されたほかの人は、対応するまで呼び出され続けます。";
    Minutes => "min", "分";
    ResponsePlansIntro => "Each severity level starts an incident from its response plan: who is engaged and who is told.", "重大度ごとに対応プランからインシデントを開始します。誰を呼び出し、誰に通知するかを定めます。";
    Impact => "Impact", "影響度";
    Title => "Title", "タイトル";
    Engages => "Engages", "呼び出し先";
    DedupeString => "Dedupe string", "重複排除文字列";
    NotificationTargets => "Notification targets", "通知先";
    StatusOpen => "Open", "対応中";
    StatusResolved => "Resolved", "解決済み";
    Opened => "Opened", "開始";
    Resolved => "Resolved", "解決";
    Source => "Source", "発生元";
    Timeline => "Timeline", "タイムライン";
    EventIncidentCreated => "Incident created", "インシデント作成";
    EventEngagementStarted => "Engagement started", "エンゲージメント開始";
    EventPageSent => "Page sent", "呼び出し送信";
    EventPageAccepted => "Page acknowledged", "呼び出し確認";
    EventStatusChanged => "Status changed", "状態変更";
    EventIncidentUpdated => "Incident updated", "インシデント更新";
    EventTriggerMerged => "Duplicate alarm merged", "重複アラームを統合";
    EventCustom => "Note", "メモ";
    EmptyEngagements => "Nobody has been engaged yet.", "まだ誰も呼び出されていません。";
    Stopped => "Stopped", "停止";
    ImpactPrefix => "[Impact {n}]", "[影響度 {n}]";
    StopAcknowledgedBy => "acknowledged by {who}", "{who} が対応";
    StopStoppedBy => "stopped by {who}", "{who} が停止";
    StopIncidentResolved => "incident resolved", "インシデント解決";
    Running => "Escalating", "エスカレーション中";
    Who => "Who", "対象者";
    Stage => "Stage", "段階";
    Paged => "Paged", "呼び出し";
    Acknowledged => "Acknowledged", "確認";
    Receipts => "Receipts", "受信記録";
    DeliveriesIntro => "Every message the console sends or would send: who receives what, when, on which channel. Without a configured transport a message stays here as 'outbox'.", "コンソールが送信する(または送信する予定の)すべてのメッセージです。送信手段が未設定の場合は「outbox」としてここに残ります。";
    EmptyDeliveries => "Nothing has been sent yet.", "まだ何も送信されていません。";
    Channel => "Channel", "チャネル";
    Message => "Message", "メッセージ";
    ErrIncidentTitle => "Enter a title of at most 200 characters.", "200文字以内のタイトルを入力してください。";
    ErrImpact => "Impact must be between 1 (critical) and 5 (no impact).", "影響度は1(重大)から5(影響なし)の間で指定してください。";
    ErrSummaryLength => "The summary may have at most 8,000 characters.", "概要は8,000文字以内にしてください。";
    ErrPlanName => "Use 1–200 letters, digits, '-' or '_'.", "1〜200文字の英数字、「-」または「_」を使ってください。";
    ErrPlanNameTaken => "A response plan with this name already exists.", "この名前の対応プランはすでに存在します。";
    ErrDedupeLength => "The dedupe string may have at most 1,000 characters.", "重複排除文字列は1,000文字以内にしてください。";
    ErrTooManyEngagements => "A response plan engages at most 5 contacts.", "対応プランで呼び出せる連絡先は5件までです。";
    ErrTooManyTargets => "A response plan has at most 10 notification targets.", "対応プランの通知先は10件までです。";
    ErrLinkUrl => "Enter a web address starting with https:// or http:// (at most 1,000 characters).", "https:// または http:// で始まるWebアドレスを入力してください(1,000文字以内)。";
    ErrLinkTitle => "A title is at most 200 characters.", "タイトルは200文字以内にしてください。";
    ErrLinkExists => "This incident already links to that address.", "このインシデントには既にそのアドレスのリンクがあります。";
    ErrTooManyLinks => "An incident has at most 100 related links.", "関連リンクは1インシデントにつき100件までです。";
    RelatedLinks => "Related links", "関連リンク";
    NoRelatedLinks => "No related links yet.", "関連リンクはまだありません。";
    LinkUrl => "Web address", "Webアドレス";
    LinkTitle => "Title", "タイトル";
    AddLink => "Add link", "リンクを追加";
    RemoveLink => "Remove", "削除";
    ErrWebhookUrl => "Use an https:// URL (http:// only for this machine).", "https:// のURLを指定してください(http:// はこのマシンのみ)。";
    ErrEventData => "Enter the event text (at most 12,000 characters).", "イベントの内容を入力してください(12,000文字以内)。";
    ErrUnknownResponsePlan => "No such response plan.", "その対応プランは存在しません。";
    ErrContactInUse => "This contact is still used by an escalation plan, a rotation or a response plan.", "この連絡先はエスカレーションプラン、ローテーション、または対応プランで使用中です。";
    ErrRotationInUse => "This rotation is still used by an on-call schedule.", "このローテーションはオンコールスケジュールで使用中です。";
    ErrChannelInUse => "This channel is still used by its owner's engagement plan.", "このチャネルは所有者のエンゲージメントプランで使用中です。";
    ErrActivationCode => "The activation code does not match.", "アクティベーションコードが一致しません。";
    ErrStaleVersion => "Someone else saved this rotation (now version {n}) while you were editing. Nothing was saved: compare below, then apply your change again.", "編集中に他の人がこのローテーションを保存しました(現在のバージョン {n})。保存されていません。下で比較してから変更をやり直してください。";
    ErrInUse => "Still used by {list}. Nothing was deleted: change those first.", "{list} で使用中のため削除していません。先にそちらを変更してください。";
    UsedByEscalationPlan => "escalation plan", "エスカレーションプラン";
    UsedBySchedule => "on-call schedule", "オンコールスケジュール";
    UsedByRotation => "rotation", "ローテーション";
    UsedByResponsePlan => "response plan", "対応プラン";
    UsedByPersonalPlan => "the engagement plan of", "エンゲージメントプラン:";
    ErrStaleEdit => "Someone else changed this while you were editing. Nothing was saved: compare below, then apply your change again.", "編集中に他の人がこれを変更しました。保存されていません。下で比較してから変更をやり直してください。";
    ErrRenameAws => "AWS cannot rename a rotation; keep its name.", "AWS ではローテーション名を変更できません。名前はそのままにしてください。";
    ErrSwapNotPending => "This swap has already been answered.", "この交代依頼はすでに回答済みです。";
    ErrSwapNotOnShift => "That person is not on call for this whole shift.", "その人はこのシフト全体のオンコールではありません。";
    ErrNoLinkedPerson => "Your user is not linked to a person on the rotas; ask an admin.", "ユーザーがローテーションのメンバーに紐付いていません。管理者に依頼してください。";
    ErrSwapNotYours => "You can only swap shifts you give or take yourself.", "自分が渡す・受けるシフトのみ交代できます。";
    ErrSwapSamePerson => "Pick someone else.", "別の人を選んでください。";
    ErrStartTime => "Enter a valid start date and time.", "有効な開始日時を入力してください。";
    Search => "Search", "検索";
    FilterAll => "All", "すべて";
    FilterGaps => "With gaps", "空きあり";
    FilterMine => "Mine", "自分";
    GapWarning => "Nobody on call for part of the next 7 days", "今後7日間にオンコール不在の時間があります";
    NextHandOffIn => "Next hand-off in", "次の引き継ぎまで";
    Open => "Open", "開く";
    Edit => "Edit", "編集";
    History => "History", "履歴";
    Calendar => "Calendar", "カレンダー";
    ViewDay => "Day", "日";
    ViewWeek => "Week", "週";
    ViewMonth => "Month", "月";
    Earlier => "Earlier", "前へ";
    Later => "Later", "次へ";
    Today => "Today", "今日";
    ZoneRotation => "Show in the rotation's time zone", "ローテーションのタイムゾーンで表示";
    ZoneMine => "Show in my time zone", "自分のタイムゾーンで表示";
    Uncovered => "Nobody on call", "オンコール不在";
    OverrideShift => "Override", "オーバーライド";
    Instead => "instead of", "本来:";
    Name => "Name", "名前";
    StartsAt => "Starts at (rotation's time zone)", "開始日時(ローテーションのタイムゾーン)";
    TimeZone => "Time zone", "タイムゾーン";
    Recurrence => "Hand-offs", "引き継ぎ";
    Daily => "Daily", "毎日";
    Weekly => "Weekly", "毎週";
    Monthly => "Monthly", "毎月";
    HandOffTimes => "Hand-off times (HH:MM, comma-separated; weekly: Mon 09:00; monthly: 1 09:00)", "引き継ぎ時刻(HH:MM をカンマ区切り。毎週: Mon 09:00、毎月: 1 09:00)";
    Multiplier => "Shifts last this many hand-offs", "1シフトの引き継ぎ回数";
    OnCallAtOnce => "On call at once", "同時オンコール人数";
    CoverageLabel => "Coverage (empty: around the clock; e.g. Mon 09:00-18:00, one per line)", "対応時間(空欄は24時間。例: Mon 09:00-18:00、1行に1つ)";
    AddMember => "Add member", "メンバーを追加";
    MoveUp => "Move up", "上へ";
    MoveDown => "Move down", "下へ";
    Remove => "Remove", "削除";
    ReorderHint => "Drag to reorder, or focus a member and press Alt+↑ / Alt+↓.", "ドラッグで並べ替え。またはメンバーを選択して Alt+↑ / Alt+↓。";
    Preview => "Preview: the next 4 weeks", "プレビュー: 今後4週間";
    ChangesBeforeSaving => "Changes in the next year", "今後1年間の変更";
    NoChanges => "No change to upcoming shifts.", "今後のシフトに変更はありません。";
    HoursPerPerson => "Hours on call gained or lost", "オンコール時間の増減";
    DstWarnings => "Daylight-saving changes", "夏時間の切り替え";
    DstMoved => "hand-off at a skipped time: it moves to the first valid time after the change", "存在しない時刻の引き継ぎ: 切り替え後の最初の有効な時刻に移動します";
    DstDouble => "hand-off in the repeated hour: that shift runs an hour longer", "繰り返される時間帯の引き継ぎ: そのシフトは1時間長くなります";
    DstGap => "coverage edge at a skipped time: coverage is shorter and leaves a gap", "存在しない時刻の対応時間: 対応時間が短くなり空きが生じます";
    SavedVersion => "Saved as version", "保存しました。バージョン";
    TheirVersion => "Saved by someone else", "他の人が保存した内容";
    YourVersion => "Your edit (not saved)", "あなたの編集(未保存)";
    ReloadLatest => "Start again from the latest version", "最新のバージョンから編集し直す";
    Version => "Version", "バージョン";
    SavedAt => "Saved", "保存日時";
    By => "By", "変更者";
    Change => "Change", "変更内容";
    KindCreated => "Created", "作成";
    KindEdited => "Edited", "編集";
    KindRestored => "Restored version", "バージョンを復元:";
    KindOverrideAdded => "Override added", "オーバーライド追加";
    KindOverrideRemoved => "Override removed", "オーバーライド削除";
    KindObserved => "Seen by the console (changed outside it)", "コンソール外での変更を検出";
    Restore => "Restore", "復元";
    WhoWasOnCall => "Who was on call at", "この時刻のオンコール";
    Lookup => "Look up", "確認";
    OverridesHeading => "Overrides", "オーバーライド";
    AddOverride => "Add override", "オーバーライドを追加";
    Ends => "Ends", "終了";
    Starts => "Starts", "開始";
    Replacement => "Replacement", "交代者";
    AddToRotationFirst => "is not a member: add them to the end of the rotation first (this changes the order of future shifts)", "はメンバーではありません。先にローテーションの最後に追加します(今後のシフト順が変わります)";
    Delete => "Delete", "削除";
    SwapsHeading => "Shift swaps", "シフト交代";
    SwapApproval => "Swaps need a manager's approval", "交代にはマネージャーの承認が必要";
    OfferShift => "Offer my shift to", "自分のシフトを渡す相手";
    RequestShift => "Ask to take this shift", "このシフトを引き受ける";
    Accept => "Accept", "承諾";
    Decline => "Decline", "辞退";
    Approve => "Approve", "承認";
    Reject => "Reject", "却下";
    SwapPending => "waiting for an answer", "回答待ち";
    SwapAwaiting => "accepted, waiting for a manager", "承諾済み・マネージャー承認待ち";
    SwapDeclined => "declined", "辞退";
    SwapRejected => "rejected by a manager", "マネージャーが却下";
    SwapApplied => "done: now an override", "完了: オーバーライドになりました";
    Shift => "Shift", "シフト";
    FeedsHeading => "Calendar feeds", "カレンダーフィード";
    FeedRotation => "This rotation", "このローテーション";
    FeedMine => "My shifts", "自分のシフト";
    NewFeedUrl => "New secret URL", "新しい秘密URL";
    FeedHint => "Subscribe in your calendar app. Copy it now: it is shown once. Making a new one stops the old one.", "カレンダーアプリで購読してください。表示は一度だけです。新しく作ると古いURLは使えなくなります。";
    ViewOnly => "You can view this rotation; only managers edit.", "閲覧のみ可能です。編集はマネージャーのみです。";
    LinkedPerson => "Person on the rotas", "ローテーション上の人物";
    NotLinked => "(none)", "(なし)";
    TimesIn => "Times in", "表示タイムゾーン:";
    ShowUtc => "Show UTC", "UTCで表示";
    ZoneAutomatic => "Use my device's zone", "端末のタイムゾーンを使う";
    ErrStatus => "Unknown status; use open or resolved.", "不明なステータスです。open または resolved を指定してください。";
    MyPages => "My pages", "自分の呼び出し";
    WaitingForYou => "Waiting for you", "対応待ち";
    NothingWaiting => "Nothing is waiting for you.", "対応待ちの呼び出しはありません。";
    NoRecentPages => "No pages yet.", "まだ呼び出しはありません。";
    ErrTestPagePerson => "Test pages go to one person; choose a person.", "試験呼び出しは一人に送ります。人を選んでください。";
    MessageLanguage => "Message language", "メッセージの言語";
    SendTestPage => "Send a test page", "試験呼び出しを送る";
    TestPageSent => "Test page sent: acknowledge it from the message.", "試験呼び出しを送りました。メッセージから対応してください。";
    Stages => "Stages", "ステージ";
    Alias => "Alias", "エイリアス";
    NoWorkingChannelWarning => "No working channel: a page to this person reaches nobody. Add a channel and activate it.", "有効なチャネルがありません。この人への呼び出しは誰にも届きません。チャネルを追加してアクティベートしてください。";
    ChannelAddress => "Address (e-mail, or phone number as +81…)", "アドレス(メール、または +81… 形式の電話番号)";
    ChannelKind => "Kind", "種類";
    ActivationCodeLabel => "Activation code", "アクティベーションコード";
    Activate => "Activate", "アクティベート";
    SendNewCode => "Send a new code", "コードを再送";
    AddChannel => "Add a channel", "チャネルを追加";
    ChannelAddedCodeSent => "Channel added. An activation code was sent to it: enter it below.", "チャネルを追加しました。アクティベーションコードを送信したので、下に入力してください。";
    CodeSent => "A new activation code was sent.", "新しいアクティベーションコードを送信しました。";
    ChannelAddedNoGateway => "Channel added, but no SMS/voice gateway is configured: its activation code waits in the outbox (Deliveries) and pages cannot reach it until an administrator sets one up (--page-webhook-url).", "チャネルを追加しましたが、SMS/音声のゲートウェイが設定されていません。アクティベーションコードは送信待ち(配信)に残り、管理者がゲートウェイ(--page-webhook-url)を設定するまで呼び出しは届きません。";
    RoleAdmin => "admin", "管理者";
    RoleManager => "manager", "マネージャー";
    RoleResponder => "responder", "対応者";
    RoleViewer => "viewer", "閲覧者";
    ChannelAddedNoMailServer => "Channel added, but no mail server is configured: its activation code waits in the outbox (Deliveries) and e-mail pages cannot reach it until an administrator sets one up (--smtp-url).", "チャネルを追加しましたが、メールサーバーが設定されていません。アクティベーションコードは送信待ち(配信)に残り、管理者がメールサーバー(--smtp-url)を設定するまでメールの呼び出しは届きません。";
    NoMailServerShort => "no mail server", "メールサーバー未設定";
    HealthNoMailServer => "No mail server configured: nothing sends its e-mail (it stays in the outbox)", "メールサーバー未設定: メールを送る手段がありません(送信待ちに残ります)";
    GapNoGateway => "{channel} — nothing can send it (no gateway configured)", "{channel} — 送信手段がありません（ゲートウェイ未設定）";
    NoGatewayShort => "no SMS/voice gateway", "SMS/音声ゲートウェイ未設定";
    HealthNoGateway => "No SMS/voice gateway configured: nothing sends its messages (they stay in the outbox)", "SMS/音声のゲートウェイ未設定: メッセージを送る手段がありません(送信待ちに残ります)";
    NoChannels => "No channels yet: add an e-mail, SMS or voice channel below so pages can reach this person.", "チャネルはまだありません。呼び出しが届くよう、下でメール・SMS・音声のチャネルを追加してください。";
    ChannelActivatedNote => "Channel activated.", "チャネルをアクティベートしました。";
    ChannelDeleted => "Channel deleted.", "チャネルを削除しました。";
    HealthFailing => "last delivery failed", "直近の配信に失敗";
    HealthWorking => "working", "正常";
    HealthUnused => "working (nothing sent yet)", "正常(まだ送信なし)";
    EngagementPlan => "Engagement plan", "エンゲージメントプラン";
    EngagementPlanIntro => "When each channel is first messaged after this person is paged (blank: not used). Channels starting together form one stage; at most 30 minutes between starts.", "呼び出し後、各チャネルに最初に送るまでの分(空欄は使用しない)。同じ時刻のチャネルは1つのステージになります。開始の間隔は最大30分。";
    StartAfter => "Start after (min)", "開始(分後)";
    RetryEvery => "Retry after (min, 0–60)", "再送間隔(分, 0〜60)";
    UsePreset => "Use a preset", "プリセットを使う";
    PlanSavedNote => "Engagement plan saved.", "エンゲージメントプランを保存しました。";
    IfPagedNow => "If paged now and nobody acknowledges", "今呼び出して誰も対応しない場合";
    UsedByHeading => "Used by", "使用箇所";
    NothingUses => "Nothing uses this person: they can be deleted.", "この人を使用しているものはありません(削除できます)。";
    DeletePerson => "Delete this person", "この人を削除";
    AddPerson => "Add a person", "メンバーを追加";
    Rename => "Rename", "名前を変更";
    Drills => "Drills", "訓練";
    DrillsIntro => "A drill engages a plan for real, every message marked as a drill, so you know the chain works before it matters. People acknowledge as they would a real page.", "訓練ではプランを実際に発動し、すべてのメッセージに訓練と明記します。本番前に呼び出し経路が機能することを確認できます。対応は本番と同じ方法で行います。";
    RunDrill => "Run a drill now", "今すぐ訓練を実行";
    DrillPlan => "Plan", "プラン";
    DrillSchedules => "Scheduled drills", "定期訓練";
    NoDrillSchedules => "No drills are scheduled.", "定期訓練はありません。";
    ScheduleDrill => "Schedule drills", "定期訓練を設定";
    DrillWeek => "Week of the month", "月の週";
    DrillWeekday => "Day", "曜日";
    DrillTime => "Time", "時刻";
    WeekEvery => "every", "毎週";
    WeekFirst => "first", "第1";
    WeekSecond => "second", "第2";
    WeekThird => "third", "第3";
    WeekFourth => "fourth", "第4";
    WeekLast => "last", "最終";
    NextDrill => "next", "次回";
    DrillHistory => "Drill history", "訓練履歴";
    NoDrills => "No drills yet.", "訓練はまだありません。";
    DrillStarted => "Started", "開始";
    FirstAcknowledgement => "First acknowledged by", "最初の対応者";
    DrillFailures => "Failures", "失敗";
    DrillRunning => "Paging: nobody has acknowledged yet.", "呼び出し中: まだ誰も対応していません。";
    NobodyAcknowledged => "Nobody acknowledged.", "誰も対応しませんでした。";
    BySchedule => "scheduled", "定期";
    DrillReport => "Drill report", "訓練レポート";
    ByStage => "By stage", "ステージ別";
    ByPerson => "By person", "メンバー別";
    TimeToAcknowledge => "Time to acknowledge", "対応までの時間";
    PagedAfter => "Paged at", "呼び出し";
    ErrDrillPlan => "Choose an escalation plan or a person to drill.", "訓練するエスカレーションプランまたはメンバーを選んでください。";
    UnreachableOnCall => "has no working channel (no page would reach them) and is on call from", "には有効なチャネルがなく(呼び出しが届きません)、次の時刻からオンコールです:";
    NewSchedule => "New on-call schedule", "新しいオンコールスケジュール";
    EditSchedule => "Edit on-call schedule", "オンコールスケジュールの編集";
    ScheduleRotations => "Whoever these rotations have on call", "次のローテーションのオンコール担当者";
    ErrAwsNotificationTargets => "In AWS mode a response plan notifies through its chat channel, set in AWS; leave these empty.", "AWS モードでは対応プランの通知は AWS で設定するチャットチャネル経由です。ここは空欄にしてください。";
    NewResponsePlan => "New response plan", "新しい対応プラン";
    EditResponsePlan => "Edit response plan", "対応プランの編集";
    IncidentTitle => "Incident title", "インシデントのタイトル";
    Summary => "Summary", "概要";
    SlackTargets => "Slack incoming webhooks (one URL per line)", "Slack Incoming Webhook(1行に1つ)";
    WebhookTargets => "JSON webhooks (one HTTPS URL per line)", "JSON Webhook(1行に1つの HTTPS URL)";
    ErrTimeOfDay => "Use a time of day such as 10:00.", "10:00 のような時刻を指定してください。";
    ChannelState => "State", "状態";
    ErrChannelKind => "Choose e-mail, SMS or voice.", "メール、SMS、音声通話から選んでください。";
    PresetEmailCall10 => "E-mail now, call in 10 minutes", "今すぐメール、10分後に電話";
    PresetEmailSmsCall5 => "E-mail and SMS now, call in 5 minutes", "今すぐメールとSMS、5分後に電話";
    PresetSmsCall3 => "SMS now, call in 3 minutes", "今すぐSMS、3分後に電話";
    ErrChannelStart => "Minutes after the page (0 or more), or blank to leave this channel out.", "呼び出しからの分(0以上)。このチャネルを使わない場合は空欄。";
    NewEscalationPlan => "New escalation plan", "新しいエスカレーションプラン";
    NewRotation => "New rotation", "新しいローテーション";
    ErrIntegrationName => "Give the integration a name (at most 100 characters).", "インテグレーション名を100文字以内で入力してください。";
    ErrIntegrationNameTaken => "An integration with this name already exists.", "この名前のインテグレーションはすでにあります。";
    ErrSnsTopics => "Give the SNS topic ARNs to accept (arn:aws:sns:region:account:name), at least one.", "受け付けるSNSトピックのARN(arn:aws:sns:リージョン:アカウント:名前)を1つ以上指定してください。";
    ErrRuleName => "Give the rule a name (at most 100 characters).", "ルール名を100文字以内で入力してください。";
    ErrRuleNameTaken => "Another rule has this name.", "同じ名前のルールがあります。";
    ErrRuleCount => "Keep 1 to 100 rules.", "ルールは1〜100件にしてください。";
    ErrConditionLength => "A condition has at most 2,000 characters.", "条件は2,000文字以内にしてください。";
    ErrCatchAllLast => "The last rule catches every alert: leave its condition empty (to route by a condition, add a new rule above it).", "最後のルールはすべてのアラートを受け取ります。条件を空にしてください(条件で振り分けるには、その上に新しいルールを追加します)。";
    AtLineColumn => " (line {line}, column {column})", "({line}行目 {column}文字目)";
    CondNoSuchKey => "the alert has no field or label “{key}”", "アラートに「{key}」という項目やラベルはありません";
    CondNotBoolean => "the condition gave a value, not true or false", "条件の結果が true / false ではありません";
    CondUndeclared => "unknown name “{name}”: start with alert. or payload.", "不明な名前「{name}」: alert. か payload. で始めてください";
    CondTypes => "values of different kinds are compared (text with a number?)", "種類の違う値を比べています(文字列と数値など)";
    NeverMatches => "Never matches: the rule “{rule}” above catches every alert this one would.", "一致することはありません: 上のルール「{rule}」が先にすべて受け取ります。";
    RulesReordered => "Order changed, not saved yet: Save keeps it.", "並び順を変えました（まだ保存されていません）。「保存」で確定します。";
    OverrideReplaces => "(in place of {who})", "（{who} の代わり）";
    OverrideReplacesNobody => "(adds cover: nobody is on call then)", "（追加の当番: 本来は誰も当番でない時間）";
    ChartAckPerDrill => "Time to first acknowledgement per drill", "訓練ごとの最初の確認応答までの時間";
    ChartAckPerPlan => "Time to acknowledge per response plan", "対応計画ごとの確認応答までの時間";
    ChannelActivatedUnused => "Pages do not use it yet: give it a start time in the engagement plan below.", "まだ呼び出しには使われません。下のエンゲージメントプランで開始時間を入れてください。";
    CatchAllPinned => "Always last: takes every alert no rule above matched.", "常に最後: 上のどのルールにも一致しなかったアラートをすべて受け取ります。";
    WhatRulesSee => "What the rules see", "ルールから見える値";
    ErrCondition => "This condition is not valid CEL.", "この条件はCELとして正しくありません。";
    ErrRuleTooManyTargets => "A rule has at most 5 targets.", "ルールの通知先は5件までです。";
    ErrConditionField => "Name a field under alert or payload, e.g. alert.severity or payload.detail.state.value.", "alert または payload の項目を指定してください(例: alert.severity、payload.detail.state.value)。";
    ErrConditionValue => "Give a value this test can use: a number for comparisons, a comma-separated list for one of.", "このテストに使える値を入力してください(比較には数値、「いずれか」にはカンマ区切り)。";
    ErrHours => "Use days, times and a time zone, e.g. Mon-Fri 09:00-18:00 Asia/Tokyo.", "曜日・時刻・タイムゾーンを指定してください(例: Mon-Fri 09:00-18:00 Asia/Tokyo)。";
    ErrMaintenanceNote => "Say why (a note of at most 500 characters).", "理由を500文字以内で入力してください。";
    ErrMaintenanceRange => "The end must be after the start, and a window lasts at most 30 days.", "終了は開始より後で、期間は30日以内にしてください。";
    ErrDateTime => "Use a date and time such as 2026-12-01 22:00.", "2026-12-01 22:00 のような日時を指定してください。";
    ResponsePlans => "Response plans", "対応プラン";
    RoutingRules => "Routing rules", "ルーティングルール";
    Alerts => "Alerts", "アラート";
    Integrations => "Integrations", "インテグレーション";
    AlertFiring => "Firing", "発生中";
    AlertResolved => "Resolved", "回復";
    Secret => "Secret", "シークレット";
    HowToWire => "How to connect it", "接続方法";
    IntegrationsHelp => "Each integration has a URL and a secret. Senders post alerts to the URL with the secret as a Bearer token or as the password of Basic auth; every event is stored before it is answered, and a redelivery adds nothing.", "インテグレーションごとにURLとシークレットがあります。送信元はシークレットをBearerトークンまたはBasic認証のパスワードとしてURLにアラートを送ります。イベントは応答前に保存され、再送しても重複しません。";
    RotateSecret => "New secret", "シークレットを再発行";
    Events => "Events", "イベント";
    LastEvent => "Last event", "最終受信";
    Quarantined => "Quarantined", "隔離";
    Quarantine => "Quarantine", "隔離された受信";
    QuarantineHelp => "Bodies refused as unreadable (answered 400), newest first.", "読めずに拒否した本文(400で応答)。新しい順。";
    NewIntegration => "New integration", "新しいインテグレーション";
    NoIntegrations => "No integrations yet.", "インテグレーションはまだありません。";
    Kind => "Kind", "種類";
    SnsTopics => "SNS topic ARNs (SNS only, one per line)", "SNSトピックのARN(SNSのみ、1行に1つ)";
    Create => "Create", "作成";
    Outcome => "Outcome", "結果";
    Rule => "Rule", "ルール";
    Received => "Received", "受信";
    Waiting => "waiting", "処理待ち";
    NoAlerts => "No alerts.", "アラートはありません。";
    Labels => "Labels", "ラベル";
    RoutingTrace => "How the rules judged it", "ルールの判定";
    RawEvent => "Raw event", "受信したイベント";
    RulesHelp => "Rules are tried in order; the first whose condition holds decides, and the last (no condition) catches the rest. Conditions are CEL over alert (title, summary, severity, status, fingerprint, labels, integration, kind) and payload, e.g. alert.severity == 'critical' or in_hours('Mon-Fri 09:00-18:00 Asia/Tokyo').", "ルールは上から順に試され、条件が成り立った最初のルールが決めます。最後のルール(条件なし)が残りすべてを受けます。条件はalert(title, summary, severity, status, fingerprint, labels, integration, kind)とpayloadに対するCEL式です。例: alert.severity == 'critical'、in_hours('Mon-Fri 09:00-18:00 Asia/Tokyo')。";
    AddRule => "Add a rule", "ルールを追加";
    Position => "Order", "順番";
    ConditionCel => "The condition as CEL (what runs; edit it here for anything the builder cannot say)", "CELで書いた条件(実際に評価される式。ビルダーで表せない条件はここで編集)";
    Condition => "Condition", "条件";
    MatchAll => "All of these", "すべてに一致";
    MatchAny => "Any of these", "いずれかに一致";
    Not => "not", "否定";
    Field => "Field", "項目";
    Value => "Value", "値";
    OpEquals => "equals", "等しい";
    OpOneOf => "is one of (a, b, …)", "いずれか(a, b, …)";
    OpContains => "contains", "を含む";
    OpStartsWith => "starts with", "で始まる";
    OpWildcard => "matches (* and ?)", "ワイルドカード(* と ?)";
    OpGreater => "> (number)", "> (数値)";
    OpAtLeast => "≥ (number)", "≥ (数値)";
    OpLess => "< (number)", "< (数値)";
    OpAtMost => "≤ (number)", "≤ (数値)";
    OpExists => "exists", "がある";
    TimeWindow => "Time window", "時間帯";
    WindowAny => "any time", "常に";
    WindowWithin => "only within", "この時間帯のみ";
    WindowOutside => "only outside", "この時間帯以外のみ";
    Days => "Days (Mon-Fri, Sat,Sun or daily)", "曜日(Mon-Fri、Sat,Sun、daily)";
    CelOnly => "The builder cannot show this condition; edit it as CEL below.", "この条件はビルダーでは表示できません。下のCELで編集してください。";
    HoldUntil => "Hold until these hours (empty: act at once), e.g. Mon-Fri 09:00-18:00 Asia/Tokyo", "この時間帯まで保留(空欄: すぐに処理)。例: Mon-Fri 09:00-18:00 Asia/Tokyo";
    OutcomeHeld => "held until its hours", "時間帯まで保留中";
    OutcomeRecoveredWhileHeld => "recovered while held: nothing was sent", "保留中に回復(何も送信していません)";
    OutcomeMaintenance => "suppressed by a maintenance window", "メンテナンスにより抑止";
    MaintenanceWindows => "Maintenance windows", "メンテナンス時間帯";
    MaintenanceHelp => "During a window, alerts its condition matches are kept and shown but page nobody and notify nobody. An empty condition matches every alert.", "時間帯の間、条件に一致するアラートは記録・表示されますが、呼び出しも通知も行いません。条件が空欄ならすべてのアラートに一致します。";
    NewMaintenance => "New maintenance window", "メンテナンス時間帯を追加";
    MaintenanceNote => "Note (why)", "メモ(理由)";
    EndNow => "End now", "今すぐ終了";
    MaintenanceActive => "in force", "実施中";
    MaintenanceUpcoming => "upcoming", "予定";
    MaintenanceEnded => "ended", "終了済み";
    MaintenanceCreated => "Maintenance window saved.", "メンテナンス時間帯を保存しました。";
    Suppressed => "Suppressed", "抑止";
    Alert => "Alert", "アラート";
    Analytics => "Analytics", "分析";
    AnalyticsHelp => "Times to acknowledge run from an incident's opening to its first acknowledgement (per person: from each page to its acknowledgement); times to resolve from opening to resolving. Each person's day is read in their rotation's zone: working hours are weekdays 09:00–18:00, evenings 06:00–09:00 and 18:00–22:00, nights 22:00–06:00, and weekends and holidays all day. On-call hours come from the rotations' recorded shifts, overrides included.", "対応までの時間はインシデント開始から最初の対応まで(個人別は各呼び出しから対応まで)、解決までの時間は開始から解決までです。各人の1日はローテーションのタイムゾーンで数えます: 勤務時間は平日9:00〜18:00、夕方・早朝は6:00〜9:00と18:00〜22:00、夜間は22:00〜6:00、土日祝は終日。オンコール時間はローテーションの記録済みシフト(オーバーライドを含む)から求めます。";
    HolidayCalendar => "Holidays", "祝日";
    HolidaysJapan => "Japan's public holidays", "日本の祝日";
    HolidaysNone => "none", "なし";
    ByPlan => "By response plan", "対応プラン別";
    ByPersonPaged => "By person paged", "呼び出された人別";
    OnCallHours => "On-call hours", "オンコール時間";
    AcknowledgedAfter => "Time to acknowledge", "対応までの時間";
    EditNote => "Edit", "編集";
    DeleteNote => "Delete note", "メモを削除";
    EditedBy => "edited by", "編集:";
    HomeMyRotations => "Your rotations: who is on call", "あなたのローテーション: 現在のオンコール";
    HomeRotations => "Who is on call", "現在のオンコール";
    HomeNoRotations => "No rotations yet: on-call shifts appear here once a manager sets up a rotation.", "ローテーションはまだありません。マネージャーがローテーションを作成すると、ここに当番が表示されます。";
    HomeNotLinked => "Your account is not linked to a person on the rotas, so no pages come to you here. An administrator links it on Admin → Users.", "あなたのアカウントはローテーションの担当者に結び付いていないため、呼び出しはここに表示されません。管理者が「管理 → ユーザー」で結び付けます。";
    AcknowledgeOnMyPages => "Open My pages to acknowledge", "「自分の呼び出し」で対応する";
    HomeOpenIncidents => "Open incidents", "対応中のインシデント";
    HomeNoIncidents => "No open incidents.", "対応中のインシデントはありません。";
    HomeReach => "Can everyone be reached?", "全員に連絡が届きますか?";
    HomeAllReachable => "Everyone on a rotation has a working channel.", "ローテーションの全員に有効な連絡手段があります。";
    HomeUnreachable => "These people are on a rotation but have no activated channel: nothing reaches them when they are paged.", "次の人はローテーションに入っていますが、有効な連絡手段がありません。呼び出しても届きません。";
    RotationsNeedSchedule => "To page whoever is on call in a rotation, give the rotation an on-call schedule and name the schedule in a stage:", "ローテーションの当番を呼び出すには、そのローテーションのオンコールスケジュールを作り、ステージにスケジュールを指定します:";
    StopOthers => "Stop paging the others", "ほかの人の呼び出しを止める";
    StoppedOthers => "Stopped: nobody else is paged for it.", "止めました。ほかの人は呼び出されません。";
    EscalationGoesOnNext => "The escalation goes on: {who} will be paged at {when}.", "エスカレーションは続いています: {when} に {who} が呼び出されます。";
    EscalationStillPaging => "The escalation goes on: {who} are still paged until they acknowledge.", "エスカレーションは続いています: {who} は対応するまで呼び出され続けます。";
    EscalationHasStopped => "The escalation has stopped: nobody else is paged.", "エスカレーションは止まりました。ほかの人は呼び出されません。";
    ErrAcknowledgeFirst => "Acknowledge the page first.", "先に呼び出しに対応してください。";
    AckedViaLink => "Acknowledged via the link", "リンクから対応";
    AckedBySms => "Acknowledged by SMS reply", "SMSの返信で対応";
    AckedByKey => "Acknowledged by key press", "電話のキー操作で対応";
    AckedInConsole => "Acknowledged in the console", "コンソールで対応";
    AckedByApi => "Acknowledged through the API", "API経由で対応";
    TimelineDeliverySent => "Message sent", "メッセージ送信";
    TimelineDeliveryPending => "Message waiting to be sent", "メッセージ送信待ち";
    TimelineDeliveryKept => "Message kept (no transport configured)", "メッセージ保留(送信手段未設定)";
    TimelineDeliveryFailed => "Message failed", "メッセージ送信失敗";
    TimelineReceiptError => "Delivery failed", "配信失敗";
    TimelineReceiptStop => "Opted out", "配信停止";
    TimelineOnCall => "On call", "オンコール担当";
    ByRotation => "By team rotation", "ローテーション別";
    ByRotationHelp => "Pages count for a rotation when the person paged was on call in it at the time.", "呼び出された人がその時点でローテーションのオンコール担当だった呼び出しを数えます。";
    PersonHours => "On-call hours (person-hours): working / evenings / nights / weekends", "オンコール時間(人×時間): 勤務時間 / 夕方・早朝 / 夜間 / 土日祝";
    PagesByBand => "Pages: working / evenings / nights / weekends", "呼び出し: 勤務時間 / 夕方・早朝 / 夜間 / 土日祝";
    DrillResults => "Drills over time", "訓練の推移";
    FirstAckAfter => "First acknowledged after", "最初の対応までの時間";
    PeoplePaged => "People paged", "呼び出した人数";
    TimeToAck => "Time to acknowledge (mean / 90th pct.)", "対応までの時間(平均 / 90パーセンタイル)";
    TimeToResolve => "Time to resolve (mean / 90th pct.)", "解決までの時間(平均 / 90パーセンタイル)";
    PagesCount => "Pages", "呼び出し";
    AcknowledgedCount => "Acknowledged", "対応済み";
    BandWorking => "Working hours", "勤務時間";
    BandEvening => "Evenings", "夕方・早朝";
    BandNight => "Nights", "夜間";
    BandWeekend => "Weekends and holidays", "土日祝";
    DownloadCsv => "CSV", "CSV";
    ErrAnalyticsPeriod => "The last day must not be before the first, and a period is at most 366 days.", "終了日は開始日以降、期間は366日以内にしてください。";
    Previous => "Newer", "新しいもの";
    Next => "Older", "古いもの";
    Review => "Post-incident review", "事後レビュー";
    ReviewWhatHappened => "What happened", "何が起きたか";
    ReviewImpact => "Impact", "影響";
    ReviewDetection => "Detection: how and when we knew", "検知: いつ、どう気づいたか";
    ReviewResponse => "Response: what we did", "対応: 何をしたか";
    ReviewWentWell => "What went well", "うまくいったこと";
    ReviewWentBadly => "What went badly", "うまくいかなかったこと";
    ActionItems => "Action items", "アクションアイテム";
    ActionText => "Action", "アクション";
    Owner => "Owner", "担当";
    Due => "due", "期限";
    DueDate => "Due (YYYY-MM-DD)", "期限(YYYY-MM-DD)";
    SaveReview => "Save the review", "レビューを保存";
    ReviewSaved => "Review saved.", "レビューを保存しました。";
    DownloadMarkdown => "Download as Markdown", "Markdownでダウンロード";
    MarkdownExport => "Markdown (the review and the whole timeline)", "Markdown(レビューとタイムライン全体)";
    ReviewLink => "Review", "事後レビュー";
    ErrReviewAnswer => "An answer has at most 10,000 characters.", "回答は10,000文字以内にしてください。";
    ErrActionText => "Say what is to be done (at most 500 characters).", "何をするかを500文字以内で入力してください。";
    ErrActionOwner => "An owner's name has at most 100 characters.", "担当者名は100文字以内にしてください。";
    ErrActionDue => "Use a date such as 2026-12-15.", "2026-12-15 のような日付を指定してください。";
    ErrActionCount => "At most 30 action items.", "アクションアイテムは30件までです。";
    ResponsePlan => "Response plan", "対応プラン";
    TimelinePages => "Pages", "呼び出し";
    TimelineChanges => "Changes", "変更";
    ResolveIncident => "Resolve", "解決にする";
    SaveSummary => "Save summary", "概要を保存";
    AddNote => "Add a note", "メモを追加";
    PageSomeone => "Page (a person, an on-call schedule or an escalation plan)", "呼び出す(人、オンコールスケジュール、エスカレーションプラン)";
    PageNow => "Page", "呼び出す";
    DeclareIncident => "Declare an incident", "インシデントを宣言";
    DeclareHelp => "The response plan's engagements page its people at once; its chat and webhook targets are told.", "対応プランのエンゲージメントがすぐに担当者を呼び出し、チャット・Webhookの通知先にも知らせます。";
    ImpactOrPlans => "Impact (1–5; empty: the plan's)", "影響度(1〜5、空欄は対応プランの値)";
    ActNothing => "nothing (no rule matched)", "何もしない(一致するルールなし)";
    ActIncident => "start an incident from", "インシデントを開始する対応プラン";
    ActEngage => "engage", "呼び出す連絡先";
    ActNotify => "only notify", "通知のみ";
    ActSuppress => "suppress", "抑止";
    ActResolve => "resolve its incident", "インシデントを解決";
    ActRecoveryNotify => "recovery: notify", "回復を通知";
    ActTargets => "targets told:", "通知先:";
    ActHeld => "held until", "保留する時間帯:";
    NoMaintenance => "No maintenance windows.", "メンテナンス時間帯はありません。";
    EveryAlert => "every alert", "すべてのアラート";
    MaintenanceCondition => "Condition (CEL, as in the rules; empty: every alert), e.g. alert.labels.env == \"staging\"", "条件(ルールと同じCEL。空欄はすべてのアラート)。例: alert.labels.env == \"staging\"";
    Held => "Held", "保留";
    WhenFiring => "When it fires", "発生時";
    FiringIncident => "Start an incident from a response plan", "対応プランでインシデントを開始";
    FiringEngage => "Engage a contact or escalation plan", "連絡先・エスカレーションプランを呼び出す";
    FiringNotify => "Only notify", "通知のみ";
    FiringSuppress => "Suppress", "抑止";
    PlanOrContact => "Response plan or contact", "対応プランまたは連絡先";
    NotifyTargets => "Slack and webhook URLs told of firing and recovery (one per line)", "発生と回復を知らせるSlack・WebhookのURL(1行に1つ)";
    ResolveOnRecovery => "On recovery, also resolve the incident", "回復時にインシデントも解決する";
    DryRun => "Dry run", "ドライラン";
    Integration => "Integration", "インテグレーション";
    PasteEvent => "Event (paste what the integration receives)", "イベント(インテグレーションが受け取る内容を貼り付け)";
    Replay => "Replay", "リプレイ";
    ReplayDays => "Days of stored alerts", "対象日数";
    DryRunResult => "What these rules would do", "このルールでの処理";
    ReplayResult => "These rules against what happened", "このルールと実際の処理の比較";
    Changed => "handled differently", "件の処理が変わる";
    IncidentsOpened => "Incidents opened", "開始されるインシデント";
    NoticesSent => "Notices", "通知";
    OutcomeOpened => "incident opened", "インシデント開始";
    OutcomeFiredAgain => "fired again (joined its open incident)", "再発(対応中のインシデントに追加)";
    OutcomeMerged => "merged into an open incident (the plan's dedupe string)", "対応中のインシデントに統合(プランの重複排除文字列)";
    OutcomeRecoveryNotified => "recovery notified", "回復を通知";
    OutcomeResolved => "incident resolved", "インシデント解決";
    OutcomeNotified => "notified", "通知";
    AlertsLimited => "Showing the newest {n} alerts; narrow the list with the filters to find older ones.", "新しい順に {n} 件まで表示しています。古いアラートはフィルターで絞り込んで探してください。";
    RoutingKeepsUp => "Routing keeps up: no alert is waiting; {n} routed in the last minute.", "ルーティングは追いついています: 待っているアラートはありません。直近 1 分間に {n} 件をルーティングしました。";
    RoutingWaiting => "Routing: {n} alerts waiting, the oldest for {s} s; {m} routed in the last minute.", "ルーティング: {n} 件のアラートが待っています(最も古いもので {s} 秒)。直近 1 分間に {m} 件をルーティングしました。";
    StormFolding => "{name} is flooding: its Slack and webhook notices are folded into one storm notice a minute ({n} storm notices so far; see Deliveries). Since", "{name} からアラートが大量に届いています: Slack と Webhook への通知は 1 分に 1 件のまとめ通知になります(これまでのまとめ通知 {n} 件。配信の一覧で確認できます)。開始:";
    OutcomeNotifiedInStorm => "notified in a storm notice (its integration was flooding)", "アラートストームのまとめ通知に含めて通知(インテグレーションから大量に届いていたため)";
    OutcomeRecoveryInStorm => "recovery notified in a storm notice (its integration was flooding)", "回復をアラートストームのまとめ通知に含めて通知(インテグレーションから大量に届いていたため)";
    OutcomeEngaged => "engaged", "呼び出し開始";
    OutcomeSuppressed => "suppressed", "抑止";
    OutcomeNoRule => "no rule matched", "一致するルールなし";
    OutcomeFailed => "failed", "失敗";
    TraceMatched => "matched", "一致";
    TraceNoMatch => "no match", "不一致";
    TraceError => "error", "エラー";
    ErrDryRunEvent => "This event cannot be read as this integration's kind: paste what it sends (JSON).", "このインテグレーションの種類としてイベントを読めません。送られてくる内容(JSON)を貼り付けてください。";
    EditEscalationPlan => "Edit escalation plan", "エスカレーションプランの編集";
    StagesOnePerLine => "Stages, one per line: minutes until the next stage, a colon, then the people and on-call schedules it pages. Anyone's acknowledgement stops the escalation; put ~ after someone whose acknowledgement should not (the next stages still come).", "ステージを1行に1つ: 次のステージまでの分、コロン、呼び出す人とオンコールスケジュール。誰かが対応するとエスカレーションは止まります。対応しても止めたくない相手には後ろに ~ を付けてください(次のステージも呼び出されます)。";
    StageCapNote => "At most 30 minutes per stage (Incident Manager's limit). To wait longer, add a stage that pages nobody.", "1ステージ最大30分(Incident Manager の上限)。もっと待つには、誰も呼び出さないステージを追加します。";
    RepeatTimes => "Run the stages (times)", "ステージの実行回数";
    SavedAsStages => "Saved as this many stages:", "保存されるステージ数:";
    StageN => "Stage", "ステージ";
    WaitMinutes => "Minutes until the next stage", "次のステージまで(分)";
    PagesWho => "Pages", "呼び出す相手";
    AddStage => "Add a stage", "ステージを追加";
    StagesReorderHint => "Drag a stage to reorder, or focus it and press Alt+↑ / Alt+↓.", "ステージはドラッグで並べ替え。または選択して Alt+↑ / Alt+↓。";
    TimelineAt => "If nobody acknowledges an incident at", "インシデント発生時刻(誰も対応しない場合)";
    ShowTimeline => "Show the timeline", "タイムラインを表示";
    PlanSaved => "Escalation plan saved.", "エスカレーションプランを保存しました。";
    TimelineDraft => "Timeline of this draft", "この下書きのタイムライン";
    TimelineIfNobody => "If nobody acknowledges, starting now", "誰も対応しなかった場合（今から）";
    GapNobodyOnCall => "nobody on call: this step pages no one", "オンコール担当者なし：誰も呼び出されません";
    GapNoWorkingChannel => "no activated channel: this person gets nothing", "有効な連絡先なし：この人には届きません";
    GapUnknownContact => "unknown contact", "不明な連絡先";
    RecentPages => "Recent pages", "最近の呼び出し";
    NextShifts => "Your next shifts", "次のシフト";
    NoShiftsSoon => "No shifts in the next 14 days.", "今後14日間のシフトはありません。";
    AcknowledgePage => "Acknowledge", "対応する";
    AcknowledgedAt => "Acknowledged", "対応済み";
    PageClosed => "Closed", "終了";
    PageLanguage => "Language of your pages", "呼び出しメッセージの言語";
    LanguageNotChosen => "not chosen (English)", "未設定（英語）";
    ErrPageClosed => "This page is no longer waiting for an acknowledgement.", "この呼び出しはすでに対応待ちではありません。";
    ErrLanguage => "Choose Japanese or English.", "日本語か英語を選んでください。";
    ErrSwapNotLinked => "Your account is not linked to a person on the rotas; ask an admin.", "アカウントがローテーション上の人物に紐付いていません。管理者に依頼してください。";
    ErrSwapShift => "Pick one of the upcoming shifts.", "今後のシフトから選んでください。";
    ReceiptSent => "sent", "送信";
    ReceiptDelivered => "delivered", "配信";
    ReceiptRead => "acknowledged", "確認済み";
    ReceiptError => "failed", "失敗";
    ReceiptStop => "stopped", "停止";
    DeliveryPending => "pending", "送信待ち";
    DeliverySending => "sending", "送信中";
    DeliverySent => "sent", "送信済み";
    DeliveryOutbox => "kept (no transport configured)", "保留(送信手段未設定)";
    DeliveryFailed => "failed", "失敗";
    Show => "Show", "表示";
    NoMatch => "No rotation matches.", "該当するローテーションはありません。";
    OrTypeRange => "— or type the times below —", "— または下に日時を入力 —";
    AddToRotationIfNeeded => "If the replacement is not a member, add them to the end of the rotation first (this changes the order of future shifts)", "交代者がメンバーでない場合、先にローテーションの最後に追加する(今後のシフト順が変わります)";
    SwapApprovalOn => "Swaps need a manager's approval.", "交代にはマネージャーの承認が必要です。";
    SwapApprovalOff => "Swaps apply once the other person accepts.", "相手が承諾すると交代が成立します。";
    SwapApprovalTurnOn => "Require approval", "承認を必須にする";
    SwapApprovalTurnOff => "Stop requiring approval", "承認を不要にする";
    SwapHowTo => "Pick your shift to offer it to someone, or someone else's shift to ask for it.", "自分のシフトを選ぶと相手に渡す依頼、他の人のシフトを選ぶと引き受ける依頼になります。";
    MembersOnePerLine => "Members, one alias per line, in order", "メンバー(1行に1つのエイリアス、順番どおり)";
    PreviewNeedsScript => "The live preview needs JavaScript; the form saves without it.", "ライブプレビューにはJavaScriptが必要です。フォームはなしでも保存できます。";
    ErrAutomaticEvent => "Automatic timeline events cannot be changed; add a note instead.", "自動で記録されたイベントは変更できません。メモを追加してください。";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_highest_q() {
        assert_eq!(Locale::from_accept_language("ja-JP,ja;q=0.9,en;q=0.8"), Some(Locale::Ja));
        assert_eq!(Locale::from_accept_language("fr-FR, en;q=0.5, ja;q=0.7"), Some(Locale::Ja));
        assert_eq!(Locale::from_accept_language("en-US,en;q=0.9"), Some(Locale::En));
        assert_eq!(Locale::from_accept_language("fr, de"), None);
        assert_eq!(Locale::from_accept_language("ja;q=0"), None);
    }

    #[test]
    fn cookie_beats_accept_language() {
        assert_eq!(Locale::negotiate(Some("a=b; lang=ja"), Some("en")), Locale::Ja);
        assert_eq!(Locale::negotiate(Some("lang=xx"), Some("ja")), Locale::Ja);
        assert_eq!(Locale::negotiate(None, None), Locale::En);
    }

    #[test]
    fn messages_serialise_by_name() {
        assert_eq!(serde_json::to_string(&Msg::ErrRequired).unwrap(), "\"ErrRequired\"");
        assert_eq!(serde_json::from_str::<Msg>("\"SignIn\"").unwrap(), Msg::SignIn);
        assert!(serde_json::from_str::<Msg>("\"NoSuchMessage\"").is_err());
        for m in Msg::ALL {
            assert_eq!(serde_json::from_str::<Msg>(&serde_json::to_string(m).unwrap()).unwrap(), *m);
        }
    }

    #[test]
    fn every_message_has_both_languages() {
        assert_ne!(Msg::SignIn.text(Locale::En), Msg::SignIn.text(Locale::Ja));
        assert_eq!(Msg::NavRotations.text(Locale::Ja), "ローテーション");
    }
}
