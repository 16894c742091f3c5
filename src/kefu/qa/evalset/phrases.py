# ruff: noqa: E501  (long sentences are the point of the "hard" turns)
"""Scripted turns per language for the evaluation set, written apart from the detectors' lexicons."""

from __future__ import annotations

PHRASES: dict[str, dict[str, list[str]]] = {
    "en": {
        "ask": [
            "Where is my order 58213? It was due last week.",
            "I can't log in to my account, it keeps saying error.",
            "What is today's exchange rate from SGD to IDR?",
            "Can I still change the delivery address for order 7731?",
            "How do I use the coupon I got by email?",
        ],
        "complain": [
            "This is the third time my parcel is late, I'm really fed up.",
            "The blender arrived broken and nobody answers my emails!",
            "You charged me twice for the same order. Unacceptable.",
            "I was promised a call back yesterday and got nothing. Terrible service.",
        ],
        "greeting": [
            "Hi there, thanks for reaching out to ShopKu support.",
            "Good afternoon! How can I help you today?",
            "Hello, my name is Dewi and I'll be looking after you.",
            "Welcome to ShopKu chat, happy to help.",
        ],
        "opener_plain": [
            "Let me check that.",
            "Order number please.",
            "One moment while I look into this.",
            "Checking now.",
        ],
        "empathy": [
            "I completely understand how annoying this must be.",
            "I can imagine how stressful that is for you.",
            "That must be really frustrating, I'd feel the same.",
            "I hear you, waiting this long isn't right.",
        ],
        "apology": [
            "I'm so sorry about this.",
            "Please accept our apologies for the trouble.",
            "I apologise for the mix-up on our side.",
        ],
        "restate": [
            "So your order hasn't arrived and the tracking hasn't moved, right?",
            "Just to make sure: you were charged twice for order 7731?",
            "If I understand correctly, the login fails after you enter the code?",
            "Let me recap: the item came damaged and you want a new one.",
        ],
        "solution": [
            "I'll issue a full refund to your card now.",
            "We will send a replacement today with express shipping.",
            "I've reset your password, you can use the link in your inbox.",
            "I can add a 20% voucher to your account for the delay.",
        ],
        "confirm": [
            "Does that solve it for you?",
            "Would that work for you?",
            "Is everything clear now?",
            "Are you happy with this solution?",
        ],
        "closing": [
            "Thanks for your patience, have a great day!",
            "Is there anything else I can help with? Take care.",
            "Thank you for choosing ShopKu, have a lovely evening.",
            "Feel free to contact us any time. Bye!",
        ],
        "filler": [
            "I'm looking at your account now.",
            "The warehouse updated the status this morning.",
            "Our courier partner handles that area.",
        ],
        "rude": [
            "As I already told you, it's in the email.",
            "Honestly, you should have read the instructions first.",
            "It's your own fault for picking the cheapest shipping.",
            "How many times do I need to repeat this?",
        ],
        "forbidden": [
            "Please calm down.",
            "That's not my department.",
            "I don't know, maybe ask someone else.",
            "There's nothing I can do.",
        ],
        "sensitive": [
            "The card on file is 4111 1111 1111 1111.",
            "Your new password is Sunflower2024!",
            "The OTP is 448812, type it in.",
        ],
        "hard": [
            "Notwithstanding the aforementioned considerations, reimbursement eligibility determinations necessitate comprehensive verification of transactional documentation, consequently delaying finalisation."
        ],
        "thanks": ["Ok thanks.", "Alright, that works.", "Great, thank you!"],
    },
    "zh": {
        "ask": [
            "我的订单58213到哪里了？上周就该到了。",
            "我登录不了账户，一直提示错误。",
            "今天新币兑印尼盾的汇率是多少？",
            "订单7731还能改收货地址吗？",
            "邮件里收到的优惠券怎么用？",
        ],
        "complain": [
            "这是第三次快递延误了，我真的受够了。",
            "搅拌机到货就是坏的，发邮件也没人回！",
            "同一个订单扣了我两次钱，太离谱了。",
            "说好昨天给我回电话，结果什么都没有，服务太差了。",
        ],
        "greeting": [
            "您好，感谢您联系ShopKu客服。",
            "下午好！请问有什么可以帮您？",
            "您好，我是客服小王，很高兴为您服务。",
            "欢迎咨询ShopKu，我来帮您处理。",
        ],
        "opener_plain": ["我查一下。", "请提供订单号。", "稍等，我看看。", "正在查询。"],
        "empathy": [
            "非常理解您现在的心情。",
            "给您带来这么多麻烦，换作是我也会着急。",
            "我能理解这确实让人很烦。",
            "让您久等了，这确实不应该。",
        ],
        "apology": ["真的非常抱歉。", "对不起，是我们的失误。", "给您添麻烦了，深表歉意。"],
        "restate": [
            "您是说包裹一直没到，物流也没有更新，对吗？",
            "跟您确认一下：订单7731被重复扣款了是吗？",
            "我理解的是您输入验证码之后就登录失败，对吗？",
            "也就是说您收到的商品有破损，想换一个新的？",
        ],
        "solution": [
            "我这边马上为您办理全额退款。",
            "我们会今天用加急快递给您补发。",
            "已经为您重置密码，您可以通过邮箱里的链接登录。",
            "我为您申请一张八折优惠券作为补偿。",
        ],
        "confirm": ["这样处理您看可以吗？", "问题解决了吗？", "对这个方案满意吗？", "这样能帮到您吗？"],
        "closing": [
            "感谢您的耐心，祝您生活愉快！",
            "还有其他问题可以帮您吗？再见。",
            "感谢您的支持，祝您周末愉快。",
            "有问题随时联系我们。",
        ],
        "filler": ["我正在查看您的账户。", "仓库今天早上更新了状态。", "那个区域由我们的合作快递负责。"],
        "rude": [
            "我已经说过了，邮件里都写了。",
            "你怎么不看说明书呢？",
            "这是你自己的问题，谁让你选最便宜的快递。",
            "说了多少遍了还不明白。",
        ],
        "forbidden": ["你冷静一点。", "这个不归我管。", "不知道，你问别人吧。", "我也没办法。"],
        "sensitive": [
            "您绑定的卡号是4111 1111 1111 1111。",
            "您的新密码是Sunflower2024！",
            "您的验证码是448812，请输入。",
        ],
        "hard": [
            "鉴于前述诸多复杂因素之综合考量，关于退款资格之最终认定须经交易凭证全面核查程序方可确定，故而相应处理周期不可避免地有所延长，敬请知悉并予以充分谅解与配合。"
        ],
        "thanks": ["好的，谢谢。", "行，可以。", "太好了，谢谢！"],
    },
    "id": {
        "ask": [
            "Pesanan saya 58213 di mana ya? Harusnya sampai minggu lalu.",
            "Saya tidak bisa masuk ke akun, selalu muncul error.",
            "Berapa kurs SGD ke IDR hari ini?",
            "Apakah alamat pengiriman pesanan 7731 masih bisa diganti?",
            "Bagaimana cara pakai kupon dari email?",
        ],
        "complain": [
            "Ini ketiga kalinya paket saya terlambat, saya sudah muak.",
            "Blendernya datang rusak dan email saya tidak dibalas!",
            "Saya ditagih dua kali untuk pesanan yang sama. Keterlaluan.",
            "Katanya mau ditelepon balik kemarin, tapi tidak ada. Pelayanan buruk.",
        ],
        "greeting": [
            "Halo, terima kasih sudah menghubungi layanan ShopKu.",
            "Selamat siang! Ada yang bisa saya bantu?",
            "Hai kak, perkenalkan saya Dewi yang akan membantu.",
            "Selamat datang di chat ShopKu.",
        ],
        "opener_plain": [
            "Saya cek dulu.",
            "Nomor pesanannya berapa?",
            "Sebentar, saya lihat.",
            "Sedang dicek.",
        ],
        "empathy": [
            "Saya sangat memahami kekecewaan kakak.",
            "Pasti sangat merepotkan menunggu selama itu.",
            "Kami mengerti ini membuat kakak kesal.",
            "Saya bisa membayangkan betapa menjengkelkannya ini.",
        ],
        "apology": [
            "Mohon maaf atas kejadian ini.",
            "Kami minta maaf atas kesalahan dari pihak kami.",
            "Maaf sekali ya kak.",
        ],
        "restate": [
            "Jadi kakak belum menerima paket dan pelacakannya tidak bergerak, betul?",
            "Untuk memastikan: pesanan 7731 tertagih dua kali?",
            "Kalau saya tidak salah tangkap, gagal masuk setelah memasukkan kode?",
            "Dengan kata lain, barangnya rusak dan kakak ingin yang baru.",
        ],
        "solution": [
            "Saya akan proses pengembalian dana penuh sekarang.",
            "Kami akan mengirim barang pengganti hari ini dengan ekspres.",
            "Saya sudah reset kata sandinya, kakak bisa masuk lewat tautan di email.",
            "Saya bisa tambahkan voucher 20% untuk keterlambatan ini.",
        ],
        "confirm": [
            "Apakah solusi ini membantu?",
            "Apakah kakak puas dengan penyelesaian ini?",
            "Apakah masalahnya sudah teratasi?",
            "Bagaimana menurut kakak?",
        ],
        "closing": [
            "Terima kasih atas kesabarannya, semoga harinya menyenangkan!",
            "Ada hal lain yang bisa saya bantu lagi?",
            "Terima kasih atas kepercayaannya, sampai jumpa.",
            "Jangan ragu menghubungi kami kapan saja.",
        ],
        "filler": [
            "Saya sedang melihat akun kakak.",
            "Gudang memperbarui statusnya pagi ini.",
            "Area itu dilayani kurir mitra kami.",
        ],
        "rude": [
            "Kan sudah saya bilang, ada di email.",
            "Makanya baca petunjuknya dulu.",
            "Itu salah kakak sendiri pilih pengiriman termurah.",
            "Gimana sih, sudah saya jelaskan berkali-kali.",
        ],
        "forbidden": [
            "Tenang dulu ya.",
            "Itu bukan urusan saya.",
            "Saya tidak tahu, tanya yang lain saja.",
            "Saya tidak bisa apa-apa.",
        ],
        "sensitive": [
            "Kartu yang terdaftar 4111 1111 1111 1111.",
            "Kata sandi baru kakak adalah Sunflower2024!",
            "Kode verifikasi adalah 448812.",
        ],
        "hard": [
            "Sehubungan dengan pertimbangan-pertimbangan administratif sebagaimana dimaksudkan sebelumnya, penentuan kelayakan pengembalian dana memerlukan verifikasi menyeluruh terhadap dokumentasi transaksional sehingga penyelesaiannya mengalami penundaan berkepanjangan."
        ],
        "thanks": ["Oke terima kasih.", "Baik, bisa.", "Mantap, makasih!"],
    },
    "ms": {
        "ask": [
            "Di mana pesanan saya 58213? Sepatutnya sampai minggu lepas.",
            "Saya tak boleh log masuk ke akaun, asyik keluar ralat.",
            "Berapa kadar tukaran SGD ke MYR hari ini?",
            "Boleh tukar alamat penghantaran untuk pesanan 7731?",
            "Macam mana nak guna kupon dalam emel?",
        ],
        "complain": [
            "Ini kali ketiga bungkusan saya lewat, saya dah bosan.",
            "Pengisar sampai dalam keadaan rosak dan emel saya tak berjawab!",
            "Saya dicaj dua kali untuk pesanan sama. Tak boleh diterima.",
            "Dijanjikan panggilan semula semalam tapi tiada. Perkhidmatan teruk.",
        ],
        "greeting": [
            "Helo, terima kasih kerana menghubungi ShopKu.",
            "Selamat petang! Apa yang boleh saya bantu?",
            "Hai, saya Aisyah dan saya akan membantu anda.",
            "Selamat datang ke chat ShopKu.",
        ],
        "opener_plain": [
            "Saya semak dulu.",
            "Nombor pesanan?",
            "Sekejap ya, saya tengok.",
            "Sedang disemak.",
        ],
        "empathy": [
            "Saya amat memahami kekecewaan anda.",
            "Pasti sangat menyusahkan menunggu selama itu.",
            "Kami faham perkara ini buat anda geram.",
            "Saya boleh bayangkan betapa menjengkelkannya.",
        ],
        "apology": [
            "Mohon maaf atas kejadian ini.",
            "Kami minta maaf atas kesilapan pihak kami.",
            "Maaf sangat ya.",
        ],
        "restate": [
            "Jadi anda belum terima bungkusan dan penjejakan tak bergerak, betul?",
            "Untuk memastikan: pesanan 7731 dicaj dua kali?",
            "Kalau saya faham, log masuk gagal selepas masukkan kod?",
            "Dengan kata lain, barang rosak dan anda mahu yang baru.",
        ],
        "solution": [
            "Saya akan proses bayaran balik penuh sekarang.",
            "Kami akan hantar barang gantian hari ini secara ekspres.",
            "Saya sudah set semula kata laluan, anda boleh log masuk melalui pautan dalam emel.",
            "Saya boleh tambah baucar 20% untuk kelewatan ini.",
        ],
        "confirm": [
            "Adakah penyelesaian ini membantu?",
            "Adakah anda berpuas hati dengan cara ini?",
            "Adakah masalah sudah selesai?",
            "Okay tak macam ni?",
        ],
        "closing": [
            "Terima kasih atas kesabaran anda, semoga hari anda ceria!",
            "Ada apa-apa lagi yang boleh saya bantu?",
            "Terima kasih kerana memilih ShopKu, jumpa lagi.",
            "Jangan segan menghubungi kami bila-bila masa.",
        ],
        "filler": [
            "Saya sedang melihat akaun anda.",
            "Gudang mengemas kini status pagi tadi.",
            "Kawasan itu dikendalikan rakan kurier kami.",
        ],
        "rude": [
            "Kan saya dah cakap, ada dalam emel.",
            "Sebab itulah kena baca arahan dulu.",
            "Itu salah anda sendiri pilih penghantaran paling murah.",
            "Dah berapa kali saya terangkan ni.",
        ],
        "forbidden": [
            "Bertenang dulu.",
            "Itu bukan urusan saya.",
            "Saya tak tahu, tanya orang lain.",
            "Saya tak boleh buat apa-apa.",
        ],
        "sensitive": [
            "Kad yang didaftarkan 4111 1111 1111 1111.",
            "Kata laluan baru anda ialah Sunflower2024!",
            "Kod pengesahan ialah 448812.",
        ],
        "hard": [
            "Berhubung dengan pertimbangan-pertimbangan pentadbiran sebagaimana yang dinyatakan terdahulu, penentuan kelayakan pemulangan wang memerlukan pengesahan menyeluruh terhadap dokumentasi transaksi menyebabkan penyelesaiannya mengalami penangguhan berpanjangan."
        ],
        "thanks": ["Ok terima kasih.", "Baik, boleh.", "Bagus, terima kasih!"],
    },
    "vi": {
        "ask": [
            "Đơn hàng 58213 của tôi đâu rồi? Lẽ ra phải tới tuần trước.",
            "Tôi không đăng nhập được tài khoản, cứ báo lỗi.",
            "Tỷ giá SGD sang VND hôm nay là bao nhiêu?",
            "Đơn 7731 còn đổi địa chỉ giao được không?",
            "Dùng mã giảm giá trong email thế nào?",
        ],
        "complain": [
            "Đây là lần thứ ba gói hàng của tôi bị trễ, tôi chán lắm rồi.",
            "Máy xay giao tới bị vỡ mà email không ai trả lời!",
            "Tôi bị trừ tiền hai lần cho cùng một đơn. Không chấp nhận được.",
            "Hứa gọi lại hôm qua mà chẳng thấy đâu. Dịch vụ tệ quá.",
        ],
        "greeting": [
            "Xin chào, cảm ơn anh đã liên hệ ShopKu.",
            "Chào chị! Em có thể giúp gì cho chị ạ?",
            "Chào anh, em là Lan, rất vui được hỗ trợ anh.",
            "Xin chào quý khách.",
        ],
        "opener_plain": ["Để em kiểm tra.", "Cho em mã đơn hàng.", "Anh đợi một chút.", "Đang kiểm tra ạ."],
        "empathy": [
            "Em rất hiểu sự bực mình của anh lúc này.",
            "Chắc hẳn chị đã rất mệt mỏi khi phải chờ lâu như vậy.",
            "Em hoàn toàn thông cảm với anh.",
            "Việc này gây bất tiện cho chị quá.",
        ],
        "apology": [
            "Em thành thật xin lỗi anh.",
            "Chúng tôi rất tiếc vì sự cố này.",
            "Xin lỗi chị vì sai sót bên em.",
        ],
        "restate": [
            "Vậy là anh chưa nhận được hàng và trạng thái vận chuyển không đổi, đúng không ạ?",
            "Em xin xác nhận lại: đơn 7731 bị trừ tiền hai lần?",
            "Nếu em hiểu đúng, chị nhập mã xong thì đăng nhập thất bại?",
            "Nói cách khác, hàng bị hỏng và anh muốn đổi cái mới.",
        ],
        "solution": [
            "Em sẽ hoàn tiền toàn bộ cho anh ngay bây giờ.",
            "Chúng tôi sẽ gửi lại sản phẩm mới hôm nay bằng chuyển phát nhanh.",
            "Em đã đặt lại mật khẩu, chị có thể đăng nhập qua đường dẫn trong email.",
            "Em có thể tặng anh mã giảm giá 20% vì sự chậm trễ.",
        ],
        "confirm": [
            "Như vậy đã ổn chưa ạ?",
            "Anh có hài lòng với cách xử lý này không?",
            "Vấn đề đã được giải quyết chưa chị?",
            "Cách này có giúp được anh không?",
        ],
        "closing": [
            "Cảm ơn anh đã kiên nhẫn, chúc anh một ngày tốt lành!",
            "Còn gì khác em có thể hỗ trợ không ạ?",
            "Cảm ơn chị đã tin tưởng ShopKu, hẹn gặp lại.",
            "Đừng ngần ngại liên hệ bên em nhé.",
        ],
        "filler": [
            "Em đang xem tài khoản của anh.",
            "Kho đã cập nhật trạng thái sáng nay.",
            "Khu vực đó do đối tác vận chuyển phụ trách.",
        ],
        "rude": [
            "Đã nói rồi mà, trong email có hết.",
            "Anh không đọc hướng dẫn à?",
            "Lỗi của chị thôi, ai bảo chọn giao hàng rẻ nhất.",
            "Em đã nói bao nhiêu lần rồi.",
        ],
        "forbidden": [
            "Anh bình tĩnh đi.",
            "Không phải việc của em.",
            "Tôi không biết, hỏi người khác đi.",
            "Chịu thôi ạ.",
        ],
        "sensitive": [
            "Thẻ đã lưu là 4111 1111 1111 1111.",
            "Mật khẩu mới của anh là Sunflower2024!",
            "Mã xác thực là 448812.",
        ],
        "hard": [
            "Căn cứ vào các yếu tố phức tạp đã được đề cập trước đó cùng những quy định hành chính hiện hành có liên quan, việc xác định điều kiện hoàn tiền đòi hỏi phải kiểm tra toàn diện chứng từ giao dịch nên thời gian xử lý buộc phải kéo dài thêm đáng kể."
        ],
        "thanks": ["Ok cảm ơn.", "Được rồi.", "Tốt quá, cảm ơn em!"],
    },
    "th": {
        "ask": [
            "ออเดอร์ 58213 ของฉันอยู่ไหนคะ ควรถึงตั้งแต่สัปดาห์ที่แล้ว",
            "เข้าบัญชีไม่ได้ ขึ้นข้อผิดพลาดตลอด",
            "อัตราแลกเปลี่ยน SGD เป็นบาทวันนี้เท่าไหร่",
            "ออเดอร์ 7731 ยังเปลี่ยนที่อยู่จัดส่งได้ไหม",
            "คูปองที่ได้ทางอีเมลใช้ยังไง",
        ],
        "complain": [
            "พัสดุมาช้าเป็นครั้งที่สามแล้ว เบื่อมาก",
            "เครื่องปั่นมาถึงก็พังแล้ว ส่งอีเมลไปก็ไม่มีใครตอบ!",
            "โดนตัดเงินสองครั้งสำหรับออเดอร์เดียวกัน รับไม่ได้",
            "บอกว่าจะโทรกลับเมื่อวานแต่ก็เงียบ บริการแย่มาก",
        ],
        "greeting": [
            "สวัสดีค่ะ ขอบคุณที่ติดต่อ ShopKu",
            "สวัสดีครับ มีอะไรให้ผมช่วยไหมครับ",
            "ยินดีต้อนรับสู่แชท ShopKu ค่ะ",
            "สวัสดีค่ะ ดิฉันชื่อนิดา ยินดีให้บริการค่ะ",
        ],
        "opener_plain": ["ขอเช็กก่อนนะคะ", "ขอเลขออเดอร์ด้วยครับ", "รอสักครู่ค่ะ", "กำลังตรวจสอบครับ"],
        "empathy": [
            "เข้าใจความรู้สึกของคุณลูกค้าเลยค่ะ",
            "คงจะหงุดหงิดมากที่ต้องรอนานขนาดนี้",
            "ผมเข้าใจดีครับว่าเรื่องนี้สร้างความไม่สะดวก",
            "ขอแสดงความเห็นใจด้วยนะคะ",
        ],
        "apology": ["ต้องขออภัยเป็นอย่างสูงค่ะ", "ขอโทษด้วยนะครับสำหรับความผิดพลาดของเรา", "ทางเราขออภัยในปัญหาที่เกิดขึ้นค่ะ"],
        "restate": [
            "สรุปว่าคุณยังไม่ได้รับพัสดุและสถานะไม่อัปเดตใช่ไหมคะ",
            "ขอทวนนะครับ ออเดอร์ 7731 ถูกตัดเงินซ้ำสองครั้งใช่ไหม",
            "ที่คุณแจ้งมาคือใส่รหัสแล้วเข้าระบบไม่ได้ใช่ไหมคะ",
            "หมายความว่าสินค้าเสียหายและต้องการชิ้นใหม่ใช่ไหมครับ",
        ],
        "solution": [
            "ดิฉันจะดำเนินการคืนเงินเต็มจำนวนให้ทันทีค่ะ",
            "เราจะส่งสินค้าใหม่ให้วันนี้แบบด่วนครับ",
            "รีเซ็ตรหัสผ่านให้แล้วค่ะ สามารถเข้าระบบผ่านลิงก์ในอีเมลได้เลย",
            "ขอมอบคูปองส่วนลด 20% ชดเชยความล่าช้านะครับ",
        ],
        "confirm": ["แบบนี้โอเคไหมคะ", "พอใจกับวิธีนี้หรือไม่ครับ", "ปัญหาได้รับการแก้ไขแล้วหรือยังคะ", "ช่วยแก้ปัญหาได้ไหมครับ"],
        "closing": [
            "ขอบคุณที่อดทนรอนะคะ ขอให้มีวันที่ดีค่ะ",
            "มีอะไรให้ช่วยเพิ่มเติมอีกไหมครับ",
            "ขอบคุณที่ใช้บริการ ShopKu แล้วพบกันใหม่ค่ะ",
            "สามารถติดต่อเราได้ตลอดนะครับ",
        ],
        "filler": ["กำลังดูบัญชีของคุณอยู่ค่ะ", "คลังสินค้าอัปเดตสถานะเมื่อเช้านี้", "พื้นที่นั้นดูแลโดยบริษัทขนส่งพาร์ทเนอร์ครับ"],
        "rude": [
            "บอกไปแล้วไงว่าอยู่ในอีเมล",
            "ไม่อ่านคู่มือเหรอคะ",
            "เป็นความผิดของคุณเองที่เลือกส่งแบบถูกสุด",
            "บอกกี่ครั้งแล้วครับ",
        ],
        "forbidden": ["ใจเย็นๆ ก่อนค่ะ", "ไม่ใช่หน้าที่ของผมครับ", "ไม่รู้เหมือนกันค่ะ ลองถามคนอื่น", "ช่วยไม่ได้จริงๆ ครับ"],
        "sensitive": [
            "บัตรที่บันทึกไว้คือ 4111 1111 1111 1111",
            "รหัสผ่านใหม่ของคุณคือ Sunflower2024!",
            "รหัสยืนยันคือ 448812 ค่ะ",
        ],
        "hard": [
            "เนื่องด้วยปัจจัยอันซับซ้อนหลากหลายประการตามที่ได้กล่าวมาข้างต้นประกอบกับระเบียบปฏิบัติทางธุรกรรมที่เกี่ยวข้องการพิจารณาคุณสมบัติในการขอคืนเงินจำเป็นต้องได้รับการตรวจสอบเอกสารหลักฐานอย่างละเอียดถี่ถ้วนจึงส่งผลให้ระยะเวลาดำเนินการขยายออกไป"
        ],
        "thanks": ["โอเค ขอบคุณค่ะ", "ได้ครับ", "ดีมากเลย ขอบคุณนะคะ"],
    },
}
"""Turns by language and role in the script (what the turn is, not how detectors see it)."""
