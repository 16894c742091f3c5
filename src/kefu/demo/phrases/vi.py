"""Vietnamese phrasebook of the demo."""

from __future__ import annotations

from kefu.demo.phrases.book import Intent, IntentLines, Phrasebook

BOOK = Phrasebook(
    language="vi",
    months=tuple(str(n) for n in range(1, 13)),
    date_format="ngày {day}/{month}",
    products=("tai nghe không dây", "nồi chiên không dầu", "giày chạy bộ", "ốp lưng điện thoại",
              "nồi cơm điện", "đồng hồ thông minh", "xe đẩy em bé", "ghế văn phòng"),
    greeting=("Chào anh/chị {name}, cảm ơn đã liên hệ. Em là {agent}.",
              "Xin chào {name}, em là {agent} bên chăm sóc khách hàng.",
              "Dạ chào {name}, em {agent} xin hỗ trợ ạ."),
    closing=("Anh/chị còn cần em hỗ trợ gì thêm không ạ?",
             "Nếu cần gì thêm anh/chị cứ nhắn cho bên em nhé. Chúc một ngày tốt lành!",
             "Cảm ơn anh/chị {name} đã kiên nhẫn chờ ạ."),
    thanks=("Ok, cảm ơn bạn nhiều!", "Tuyệt, cảm ơn em.", "Dạ em cảm ơn ạ.", "Cảm ơn đã hỗ trợ nhanh 👍"),
    intents={
        Intent.ORDER_STATUS: IntentLines(
            opening=("Chào shop, đơn hàng {order} của tôi đang ở đâu vậy? Tôi đặt {product} tuần trước.",
                     "Kiểm tra giúp tôi tình trạng đơn {order} với.",
                     "Đơn {order} cứ báo 'đang xử lý' mãi, khi nào mới giao?",
                     "Đơn {order} có cập nhật gì chưa ạ? Tôi cần {product} trước cuối tuần."),
            answer=("Đơn {order} đã xuất kho và đang ở bên vận chuyển, mã vận đơn {tracking}. Dự kiến "
                    "giao {date}.",
                    "Em đã kiểm tra, đơn {order} được đóng gói hôm nay và gửi đi ngày mai. Dự kiến "
                    "giao {date}, link theo dõi sẽ gửi qua SMS.",
                    "{product} của anh/chị đang trên đường giao (mã {tracking}), dự kiến {date}."),
            follow_up=("Giao sau 6 giờ tối được không? Ban ngày nhà không có ai.",
                       "Link theo dõi không mở được.",
                       "Ok, có cần ký nhận không?"),
            resolution=("Em đã ghi chú cho shipper giao sau 6 giờ tối ạ.",
                        "Mã vận đơn là {tracking}, anh/chị tra trực tiếp trên web hãng vận chuyển. "
                        "Không cần ký nhận ạ."),
        ),
        Intent.DELIVERY_DELAY: IntentLines(
            opening=("Đơn {order} hẹn giao {date} mà đến giờ vẫn chưa nhận được.",
                     "Đã {days} ngày rồi mà {product} vẫn chưa tới. Sao vậy?",
                     "Đơn {order} lại trễ nữa, hành trình không cập nhật từ {date}.",
                     "Kiện hàng {tracking} bị kẹt, tôi đang cần gấp."),
            answer=("Em rất xin lỗi vì để anh/chị chờ lâu, {name}. Kho phân loại bị dồn hàng; kiện "
                    "hàng đã được chuyển tiếp, dự kiến mới là {date}.",
                    "Xin lỗi anh/chị về sự chậm trễ. Em đã yêu cầu hãng vận chuyển kiểm tra {tracking} "
                    "và ưu tiên xử lý, trong 24 giờ em sẽ báo lại.",
                    "Em xin lỗi, kiện hàng bị giữ lại do thời tiết xấu. Sẽ được giao {date}."),
            follow_up=("Trễ quá, tôi cần trước cuối tuần.",
                       "Giao trễ vậy có được hoàn phí ship không?",
                       "Thôi được, lần này nhớ giao cho đúng nhé."),
            resolution=("Để xin lỗi, bên em đã hoàn phí vận chuyển {amount}, tiền về trong {days} ngày "
                        "làm việc.",
                        "Bên vận chuyển đã xác nhận giao {date} trước 12 giờ trưa. Em sẽ tiếp tục theo "
                        "dõi ạ."),
        ),
        Intent.REFUND_RETURN: IntentLines(
            opening=("Tôi muốn trả {product} trong đơn {order}, hàng tới bị hỏng.",
                     "{product} nhận được bị sai size, đổi thế nào vậy?",
                     "Tôi muốn hoàn tiền đơn {order}, sản phẩm không hoạt động.",
                     "Hàng mua {date} chưa mở hộp, trả lại được không?"),
            answer=("Em rất xin lỗi! Yêu cầu trả hàng đã được duyệt. Shipper sẽ đến lấy hàng {date}; "
                    "số tiền {amount} được hoàn sau khi kho nhận hàng.",
                    "Dạ được ạ, em đã tạo đơn đổi size; {product} mới sẽ gửi ngay khi bên em nhận lại "
                    "hàng cũ.",
                    "Em đã tạo yêu cầu trả hàng cho đơn {order}. Anh/chị đóng gói giúp em, lấy hàng "
                    "{date} từ 9 giờ sáng đến 6 giờ chiều."),
            follow_up=("Bao lâu thì nhận được tiền hoàn?", "Tôi có cần in nhãn không?",
                       "Hoàn vào ví được không?"),
            resolution=("Số tiền {amount} sẽ hoàn về phương thức thanh toán ban đầu trong {days} ngày "
                        "làm việc.",
                        "Không cần in nhãn, shipper sẽ mang theo. Tiền hoàn trong {days} ngày làm việc."),
        ),
        Intent.PASSWORD_RESET: IntentLines(
            opening=("Tôi không đăng nhập được, quên mật khẩu rồi.",
                     "Email đặt lại mật khẩu mãi không thấy tới.",
                     "Tài khoản bị khóa vì nhập sai mật khẩu nhiều lần, giúp tôi với.",
                     "Đổi mật khẩu trong app thế nào vậy?"),
            answer=("Em đã gửi link đặt lại mới tới {email}, có hiệu lực 30 phút. Anh/chị kiểm tra cả "
                    "thư mục spam nhé.",
                    "Tài khoản tạm khóa để bảo mật. Em đã mở khóa và gửi link đặt lại tới {email}.",
                    "Trong app vào Tôi > Cài đặt > Bảo mật > Đổi mật khẩu. Em cũng đã gửi link tới {email}."),
            follow_up=("Vẫn chưa thấy email.", "Báo link đã hết hạn."),
            resolution=("Em vừa gửi lại link mới, khoảng một phút nữa sẽ tới ạ.",
                        "Xong rồi ạ, anh/chị đăng nhập bằng mật khẩu mới được rồi."),
        ),
        Intent.EXCHANGE_RATE: IntentLines(
            opening=("Nếu thanh toán bằng ngoại tệ khác thì tỷ giá tính sao?",
                     "Sao giá quy đổi hôm nay khác hôm qua vậy?",
                     "Chào bạn, tỷ giá hôm nay bao nhiêu? Tôi muốn nạp tiền."),
            answer=("Tỷ giá hôm nay là {rate}. Tỷ giá được chốt khi anh/chị xác nhận thanh toán nên "
                    "sẽ không đổi sau đó.",
                    "Tỷ giá cập nhật mỗi ngày lúc 9 giờ sáng, hôm nay là {rate}. Ngân hàng có thể thu "
                    "thêm phí."),
            follow_up=("Vậy mai thanh toán có thể khác à?",),
            resolution=("Dạ đúng, mai có thể thay đổi chút ít. Thanh toán hôm nay sẽ chốt {rate}.",),
        ),
        Intent.COUPON: IntentLines(
            opening=("Mã giảm giá {code} không dùng được khi thanh toán.",
                     "Nhập mã {code} mà không được giảm, giúp tôi với.",
                     "Mã giảm giá trong email khuyến mãi lấy ở đâu vậy?"),
            answer=("Mã {code} áp dụng cho đơn từ {amount}. Giỏ hàng của anh/chị còn thiếu một chút "
                    "nên chưa áp dụng được.",
                    "Mã {code} đã hết hạn {date}. Em đã tặng anh/chị mã mới cùng giá trị ạ.",
                    "Mã trong email nằm trong app ở Tôi > Kho voucher. {code} đã có sẵn ở đó."),
            follow_up=("Áp dụng cho đơn đã thanh toán được không?",),
            resolution=("Em đã hoàn phần chênh lệch {amount} vào ví của anh/chị.",
                        "Được ạ, em đã áp dụng giảm giá cho đơn {order}."),
        ),
        Intent.COMPLAINT: IntentLines(
            opening=("Quá đáng! Đơn {order} bị trừ tiền {amount} hai lần!",
                     "Đây là lần thứ hai tôi khiếu nại. {product} lại hỏng mà không ai trả lời.",
                     "Shipper thái độ rất tệ, còn để hàng dưới mưa. Tôi yêu cầu bồi thường.",
                     "Chờ hoàn tiền {amount} đã {days} ngày rồi. Rất thất vọng."),
            answer=("Em thật sự xin lỗi anh/chị {name}, em hiểu việc này rất bực mình. Em xác nhận lại: "
                    "đơn {order} bị trừ {amount} hai lần, đúng không ạ?",
                    "Em thành thật xin lỗi vì sự phiền phức. Em đã chuyển vụ việc lên bộ phận cấp cao "
                    "và sẽ trực tiếp theo dõi.",
                    "Em xin lỗi vì chuyện này, đây không phải dịch vụ bên em mong muốn. Em đã báo cáo "
                    "shipper và đang kiểm tra bồi thường."),
            follow_up=("Đúng vậy. Tôi muốn được hoàn tiền ngay hôm nay.",
                       "Lần nào cũng nói vậy. Chính xác bao giờ mới xong?"),
            resolution=("Khoản trừ trùng {amount} đã được hoàn, tiền về trong {days} ngày làm việc. Em "
                        "sẽ gọi lại {date} để xác nhận.",
                        "Em đã gửi sản phẩm thay thế kèm voucher {amount} để xin lỗi. Em sẽ liên hệ lại "
                        "{date}."),
        ),
        Intent.THANKS: IntentLines(
            opening=("Nhận được {product} rồi, cảm ơn đã xử lý nhanh!",
                     "Cảm ơn {agent} hôm qua nhé, tiền hoàn đã về.",
                     "Đơn {order} đã nhận hôm nay. Dịch vụ rất tốt!"),
            answer=("Rất vui khi nghe vậy, {name}! Chúc anh/chị dùng {product} vui vẻ.",
                    "Cảm ơn anh/chị đã phản hồi, bên em rất vui ạ!"),
        ),
    },
)
